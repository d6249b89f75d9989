"""Operating-system failures as Chinese phrases: one table for every layer.

A full disk, a read-only folder or a missing permission can hit any command that
writes; the message names the path and the reason in words a clerk knows.  Some
libraries wrap the ``OSError`` (xlsxwriter's ``FileCreateError``); :func:`as_os_error`
unwraps them so they are reported the same way.
"""

from __future__ import annotations

import errno

_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "是目录，不是文件",
    errno.EEXIST: "已存在同名文件",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EDQUOT: "超出磁盘配额",
    errno.ENOTEMPTY: "目录不为空",
    errno.EXDEV: "不能跨文件系统移动",
}


def os_reason(exc: OSError) -> str:
    """A Chinese phrase for an operating-system error (the errno text as a fallback)."""
    return _OS_REASONS.get(exc.errno or 0) or f"系统错误：{exc.strerror or exc}"


def as_os_error(exc: BaseException) -> OSError | None:
    """The ``OSError`` behind ``exc`` (itself, a wrapped one, or its cause), or None."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if isinstance(current, OSError):
            return current
        wrapped = [a for a in getattr(current, "args", ()) if isinstance(a, OSError)]
        if wrapped:
            return wrapped[0]
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def os_message(exc: OSError) -> str:
    """``无法写入 <path>：磁盘空间不足``: the path (when known) and the reason."""
    where = exc.filename or ""
    if exc.filename2:
        where = f"{where} → {exc.filename2}"
    verb = "无法读写" if where else "文件操作失败"
    return f"{verb} {where}：{os_reason(exc)}" if where else f"{verb}：{os_reason(exc)}"
