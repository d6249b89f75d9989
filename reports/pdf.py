"""PDF writer: WeasyPrint renders the same HTML the browser shows.

The CSS asks for Noto Sans CJK SC (Debian ``fonts-noto-cjk``), so every Chinese
glyph renders; :func:`cjk_font_available` lets callers say so when it is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or its system libraries) cannot be used here."""


def cjk_font_available() -> bool:
    """Whether fontconfig knows a Noto CJK font."""
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return "Noto Sans CJK" in out or "Noto Serif CJK" in out


def write_pdf(html: str, path: Path, base_url: Path | None = None) -> int:
    """Render ``html`` to ``path``; return the number of pages."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: missing pango/cairo libraries
        raise PdfUnavailable(f"无法生成 PDF：未安装 WeasyPrint 或其系统库（{exc}）") from None
    document = weasyprint.HTML(string=html, base_url=str(base_url) if base_url else None).render()
    document.write_pdf(str(path))
    return len(document.pages)
