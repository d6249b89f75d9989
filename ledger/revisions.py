"""The books at a git revision, read without running any plugin.

``sandao history`` and the message of rule C001 compare the books with an earlier
version of themselves.  This module finds the git repository the books live in,
resolves revisions and dates to commits, writes a revision's files into a temporary
folder (``git archive``; removed afterwards) and reads them the way the plugin sees
them — parsed and booked, without plugins, so reading an old revision never runs the
rules (or git) again.  Every git call has a timeout; nothing here writes to the books.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

GIT_TIMEOUT_S = 20.0


class GitError(Exception):
    """Git is missing, the books are not in a repository, or a revision is unknown."""


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str  # ISO 8601 with offset, as git prints it
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


def _git(root: Path, *args: str, binary: bool = False) -> str | bytes:
    if shutil.which("git") is None:
        raise GitError("找不到 git 程序")
    try:
        done = subprocess.run(
            # The repository's own config must not run code (audit.md): no fsmonitor, no hooks.
            [
                "git",
                "-c",
                "core.fsmonitor=",
                "-c",
                "core.hooksPath=/dev/null",
                "-C",
                str(root),
                *args,
            ],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            env={**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git 调用失败：{exc}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or "git 出错")
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def repository(path: Path) -> Path:
    """The top folder of the git work tree holding ``path``; GitError if there is none."""
    folder = path.resolve().parent
    if not any((p / ".git").exists() for p in (folder, *folder.parents)):
        raise GitError(f"{path}：账簿不在 git 仓库中（没有找到 .git），无法查看变更记录")
    try:
        top = str(_git(folder, "rev-parse", "--show-toplevel")).strip()
    except GitError as exc:
        raise GitError(f"{path}：账簿不在可用的 git 仓库中（{exc}）") from None
    return Path(top)


def resolve(root: Path, spec: str) -> str:
    """A commit sha for a revision (``HEAD~2``, a tag, a sha) or a date ``YYYY-MM-DD``
    (the last commit on or before that day)."""
    try:
        day = datetime.date.fromisoformat(spec)
    except ValueError:
        day = None
    if day is not None:
        sha = str(_git(root, "rev-list", "-1", f"--before={day.isoformat()} 23:59:59", "HEAD"))
        if not sha.strip():
            raise GitError(f"{spec} 当天或之前没有提交")
        return sha.strip()
    try:
        return str(_git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")).strip()
    except GitError:
        raise GitError(f"找不到 git 版本 {spec!r}") from None


def has_commits(root: Path) -> bool:
    """Whether the repository has a commit on HEAD (a fresh ``git init`` has none)."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return False
    return True


def holds(root: Path, sha: str, path: Path) -> bool:
    """Whether the revision holds the file ``path`` (of the work tree)."""
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    try:
        _git(root, "cat-file", "-e", f"{sha}:{relative}")
    except GitError:
        return False
    return True


def root_commit(root: Path) -> str:
    """The repository's first commit on the current branch."""
    return str(_git(root, "rev-list", "--max-parents=0", "HEAD")).split()[-1]


def commits_between(
    root: Path, since: str | None, until: str, paths: tuple[str, ...]
) -> list[Commit]:
    """Commits after ``since`` (None: from the first commit, included) up to ``until``
    touching ``paths``, oldest first."""
    span = f"{since}..{until}" if since else until
    text = str(
        _git(
            root,
            "log",
            "--reverse",
            "--first-parent",
            "--format=%H%x1f%an%x1f%aI%x1f%s",
            span,
            "--",
            *paths,
        )
    )
    return [commit_from(line) for line in text.splitlines() if line.strip()]


def commit_from(line: str) -> Commit:
    sha, author, date, subject = ([*line.split("\x1f"), "", "", "", ""])[:4]
    return Commit(sha, author, date, subject)


def commit_info(root: Path, sha: str) -> Commit:
    return commit_from(str(_git(root, "log", "-1", "--format=%H%x1f%an%x1f%aI%x1f%s", sha)).strip())


def commits_adding(root: Path, text: str) -> list[str]:
    """Commits whose diff adds or removes ``text`` (git's pickaxe), newest first."""
    return str(_git(root, "log", "--format=%H", f"-S{text}")).split()


@contextlib.contextmanager
def checkout(root: Path, sha: str) -> Iterator[Path]:
    """The files of a revision in a temporary folder, removed on exit."""
    archive = _git(root, "archive", "--format=tar", sha, binary=True)
    with tempfile.TemporaryDirectory(prefix="sandao-rev-") as tmp:
        try:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:  # type: ignore[arg-type]
                tar.extractall(tmp, filter="data")
        except tarfile.ReadError:  # an empty tree (a first commit made with --allow-empty)
            pass
        yield Path(tmp)


def load_unplugged(path: Path) -> tuple[list[data.Directive], list[Any], dict[str, Any]]:
    """Books as the plugin sees them (parsed, sorted, booked), no plugins run:
    entries, parse and booking errors, options."""
    from beancount import loader
    from beancount.parser import booking

    entries, errors, options_map = loader._parse_recursive(
        [(str(Path(path).resolve()), True)], None, None
    )
    entries.sort(key=data.entry_sortkey)
    entries, booking_errors = booking.book(entries, options_map)
    return entries, [*errors, *booking_errors], options_map


def entries_at(root: Path, sha: str, main_file: Path) -> list[data.Directive]:
    """The entries of the books at a revision (empty if the main file did not exist then)."""
    relative = main_file.resolve().relative_to(root.resolve())
    with checkout(root, sha) as folder:
        target = folder / relative
        if not target.exists():
            return []
        entries = load_unplugged(target)[0]
    prefix = str(folder) + os.sep
    return [_relocate(e, prefix, str(root.resolve()) + os.sep) for e in entries]


def _relocate(entry: data.Directive, old: str, new: str) -> data.Directive:
    """Point an entry's filename at the work tree instead of the temporary folder."""
    meta = entry.meta
    filename = meta.get("filename") if meta else None
    if isinstance(filename, str) and filename.startswith(old):
        meta = {**meta, "filename": new + filename[len(old) :]}
        return entry._replace(meta=meta)
    return entry


ZERO_BLOB = "0" * 40


def changed_blobs(root: Path, sha: str) -> list[tuple[str, str, str]]:
    """(old blob, new blob, path) of each ``.beancount`` file a commit changed (first parent)."""
    try:
        parent = str(_git(root, "rev-parse", "--verify", "--quiet", f"{sha}^")).strip()
    except GitError:
        parent = ""
    args = [parent, sha] if parent else ["--root", sha]
    text = str(_git(root, "diff-tree", "-r", "--no-renames", *args, "--", "*.beancount"))
    found = []
    for line in text.splitlines():
        head, _, path = line.partition("\t")
        fields = head.split()
        if len(fields) >= 4 and fields[0].startswith(":"):
            found.append((fields[2], fields[3], path))
    return found


def blob_entries(root: Path, blob: str, path: str) -> list[data.Directive]:
    """The entries of one file version, parsed without booking (empty for no file)."""
    if not blob or blob == ZERO_BLOB:
        return []
    from beancount.parser import parser

    text = _git(root, "cat-file", "blob", blob, binary=True)
    entries, _, _ = parser.parse_string(
        text.decode("utf-8", "replace"),  # type: ignore[union-attr]
        report_filename=path,
    )
    return entries
