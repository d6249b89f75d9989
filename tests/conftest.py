"""Session-wide test settings: sandao's load cache goes to a folder of this test run
(``XDG_CACHE_HOME``, inherited by the commands the tests start), not the user's."""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE = tempfile.mkdtemp(prefix="sandao-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)
