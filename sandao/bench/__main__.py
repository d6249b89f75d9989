"""``python -m sandao.bench``: the same as ``sandao bench``."""

from __future__ import annotations

import sys

from sandao.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
