"""PDF writer: WeasyPrint renders the same HTML the browser shows, in one CJK font.

The font is loaded by path (``@font-face``), never found by a font lookup: a lookup in a
forked report worker once fell back to DejaVu Sans and printed a page of boxes.  The
default is Noto Sans CJK SC (Debian ``fonts-noto-cjk``): its face is taken out of the
``.ttc`` collection once (fontTools, which WeasyPrint itself uses) into the user's cache;
``[county] font`` in ``sandao.toml`` names another file.  After rendering, every font the
PDF embeds is checked: a CJK character drawn by any other font, or a glyph the font
lacks, stops the run with a sentence instead of a PDF nobody can read.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

#: The family name every element is set in (the file behind it is ours, by path).
FAMILY = "SandaoCJK"
#: Where Debian's fonts-noto-cjk puts the collections, and the face wanted in them.
NOTO_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
NOTO_FACE = "Noto Sans CJK SC"

_FONTS: dict[str, Path] = {}
#: Families accepted in a PDF: ours, and the configured file's own name (WeasyPrint draws
#: the SVG charts' labels with a font it finds by that name).
_NAMES: set[str] = set()


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or its system libraries, or the CJK font) cannot be used here."""


def cjk_font_available() -> bool:
    """Whether the CJK font can be had (the configured file, or Noto Sans CJK SC)."""
    if _FONTS:
        return True
    try:
        configure_font()
    except PdfUnavailable:
        return False
    return True


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3000 <= code <= 0x303F
        or 0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3134F
    )


def _face(collection: Path, face: str) -> Path:
    """The face ``face`` of a ``.ttc`` collection as a file of its own, kept in the cache."""
    from fontTools.ttLib import TTCollection

    from sandao.ledger.bookcache import cache_dir

    stat = collection.stat()
    key = hashlib.sha256(
        f"{collection}|{stat.st_size}|{stat.st_mtime_ns}|{face}".encode()
    ).hexdigest()
    target = cache_dir() / "fonts" / f"{key[:24]}.otf"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == face:
            partial = target.with_suffix(".part")
            font.save(str(partial))
            partial.replace(target)
            return target
    raise PdfUnavailable(f"字体文件 {collection} 中没有 {face}")


def _noto() -> dict[str, Path]:
    found = {}
    for weight, collection in zip(("regular", "bold"), NOTO_FILES, strict=True):
        if collection.is_file():
            found[weight] = _face(collection, NOTO_FACE)
    if "regular" not in found and shutil.which("fc-match"):
        # elsewhere than Debian: ask fontconfig once where the file is; it is then used by path
        located = subprocess.run(
            ["fc-match", "-f", "%{family}|%{file}", NOTO_FACE],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        family, _, file = located.partition("|")
        if NOTO_FACE in family and Path(file).is_file():
            found["regular"] = _face(Path(file), NOTO_FACE) if file.endswith(".ttc") else Path(file)
    return found


def configure_font(path: str | Path | None = None) -> Path:
    """Choose the PDFs' CJK font (call before report workers fork): ``path`` (the county
    config's ``[county] font``), else Noto Sans CJK SC; return the regular face's file."""
    if path is not None:
        chosen = Path(path)
        if not chosen.is_file():
            raise PdfUnavailable(f"[county] font 指定的字体文件 {chosen} 不存在，无法生成 PDF")
        fonts = {"regular": chosen}
    else:
        fonts = _noto()
        if "regular" not in fonts:
            raise PdfUnavailable(
                "未找到中文字体 Noto Sans CJK SC，PDF 无法显示中文：请安装 fonts-noto-cjk，"
                "或在 sandao.toml 的 [county] font 写字体文件的路径"
            )
    _FONTS.clear()
    _FONTS.update(fonts)
    _NAMES.clear()
    _NAMES.update({FAMILY, _family(fonts["regular"])})
    return fonts["regular"]


def _family(path: Path) -> str:
    """The family name inside a font file (how fontconfig knows it)."""
    from fontTools.ttLib import TTFont

    try:
        return str(TTFont(str(path), lazy=True, fontNumber=0)["name"].getDebugName(1) or FAMILY)
    except Exception:
        return FAMILY


def _font_css() -> str:
    faces = [
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{_FONTS["regular"].resolve().as_uri()}"); }}'
    ]
    if "bold" in _FONTS:
        faces.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: bold; '
            f'src: url("{_FONTS["bold"].resolve().as_uri()}"); }}'
        )
    return "\n".join(faces) + f'\n* {{ font-family: "{FAMILY}" !important; }}\n'


def _check_fonts(document, path: Path) -> None:
    """Every CJK character is drawn by the configured font, and no glyph is missing."""
    for font in document.fonts.values():
        drawn = "".join(str(c) for c in (font.to_unicode or {}).values())
        if font.family not in _NAMES and any(_is_cjk(c) for c in drawn):
            raise PdfUnavailable(
                f"{path.name}：中文字符由字体 {font.family} 显示（应为配置的中文字体），未写出 PDF"
            )
        if font.missing:
            chars = "".join(sorted(chr(c) if isinstance(c, int) else str(c) for c in font.missing))[
                :20
            ]
            raise PdfUnavailable(f"{path.name}：字体 {font.family} 缺少字形「{chars}」，未写出 PDF")


def write_pdf(html: str, path: Path, base_url: Path | None = None) -> int:
    """Render ``html`` to ``path`` in the configured CJK font; return the number of pages."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: missing pango/cairo libraries
        raise PdfUnavailable(f"无法生成 PDF：未安装 WeasyPrint 或其系统库（{exc}）") from None
    if not _FONTS:
        configure_font()
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=_font_css(), font_config=fonts)
    document = weasyprint.HTML(string=html, base_url=str(base_url) if base_url else None).render(
        stylesheets=[css], font_config=fonts
    )
    data = document.write_pdf()
    _check_fonts(document, path)
    path.write_bytes(data)
    return len(document.pages)
