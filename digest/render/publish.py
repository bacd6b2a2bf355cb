"""Atomic publication of a dated edition directory (``out_root/YYYY-MM-DD/``).

Everything is written into a hidden sibling (``out_root/.YYYY-MM-DD.tmp-XXXX/``),
each file fsynced, then swapped into place in one step:

* no edition yet: ``rename(tmp, target)``;
* an edition exists: ``renameat2(tmp, target, RENAME_EXCHANGE)`` swaps the two
  directories atomically, and the old copy (now at ``tmp``) is removed;
* no ``renameat2`` (old kernel, other OS, filesystem without support): move
  the old copy aside, move the new one in, remove the old one.

Readers therefore see either the complete old edition or the complete new
one. If anything raises before the swap, the temporary directory is removed
and the published edition is untouched. Publishers on the same ``out_root``
are serialised by an ``flock`` on ``out_root/.publish.lock``; while holding it,
any ``.*.tmp-*`` directory is debris from a killed process and is cleaned up
(an old copy left aside mid-fallback is restored if its edition is missing).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from digest.model import Briefing

from .edition_json import briefing_to_json
from .html import default_templates_dir, render_html
from .pdf import render_pdf

AT_FDCWD = -100
RENAME_EXCHANGE = 2
#: renameat2 syscall numbers, for C libraries that lack the wrapper.
_SYS_RENAMEAT2 = {
    "x86_64": 316,
    "amd64": 316,
    "aarch64": 276,
    "arm64": 276,
    "i386": 353,
    "i686": 353,
    "armv7l": 382,
    "ppc64le": 357,
    "s390x": 347,
}


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` and fsync it."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """fsync a directory so renames and new entries in it are durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically swap directories ``a`` and ``b``; False if the system can't (then fall back)."""
    if platform.system() != "Linux":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    args = (AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if hasattr(libc, "renameat2"):
        result = libc.renameat2(
            ctypes.c_int(args[0]),
            ctypes.c_char_p(args[1]),
            ctypes.c_int(args[2]),
            ctypes.c_char_p(args[3]),
            ctypes.c_uint(args[4]),
        )
    elif (number := _SYS_RENAMEAT2.get(platform.machine().lower())) is not None:
        result = libc.syscall(
            ctypes.c_long(number),
            ctypes.c_int(args[0]),
            ctypes.c_char_p(args[1]),
            ctypes.c_int(args[2]),
            ctypes.c_char_p(args[3]),
            ctypes.c_uint(args[4]),
        )
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(
        err, f"renameat2(RENAME_EXCHANGE) failed: {os.strerror(err)}", str(a), None, str(b)
    )


def _swap_into_place(staged: Path, target: Path) -> None:
    """Make ``staged`` the directory at ``target``, atomically, and delete what was there."""
    if not target.exists():
        os.rename(staged, target)
    elif _renameat2_exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # now the previous edition; debris if this fails
    else:
        _replace_by_renames(staged, target)


def _replace_by_renames(staged: Path, target: Path) -> None:
    """Fallback swap: move ``target`` aside, move ``staged`` in, delete the old copy.

    Not atomic for readers (``target`` is briefly missing); a crash in that
    window leaves ``<staged>.old``, which ``_clean_debris`` puts back.
    """
    aside = staged.with_name(staged.name + ".old")
    os.rename(target, aside)
    try:
        os.rename(staged, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _clean_debris(out_root: Path) -> None:
    """Remove temp directories left by killed publishers (call only while holding the lock)."""
    for leftover in sorted(out_root.glob(".*.tmp-*")):
        if leftover.name.endswith(".old"):
            edition = out_root / leftover.name[1:].split(".tmp-", 1)[0]
            if not edition.exists():  # killed between the two fallback renames
                os.rename(leftover, edition)
                continue
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def file_lock(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock (flock) on ``lock_file``, created if missing, for the ``with`` block."""
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def staged_directory(out_root: str | Path, name: str) -> Iterator[Path]:
    """Yield an empty temp directory; on success it atomically becomes ``out_root/name``.

    If the body raises, the temp directory is removed and ``out_root/name``
    is left exactly as it was.
    """
    root = Path(out_root)
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root / ".publish.lock"):  # one publication at a time
        _clean_debris(root)
        staged = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
        try:
            yield staged
            os.chmod(staged, 0o755)
            fsync_dir(staged)
            _swap_into_place(staged, root / name)
            fsync_dir(root)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise


def publish_edition(
    out_root: str | Path,
    briefing: Briefing,
    *,
    templates_dir: str | Path | None = None,
    page_size: str = "A4",
) -> Path:
    """Render ``briefing`` to ``out_root/YYYY-MM-DD/{briefing.json,briefing.html,briefing.pdf}``
    atomically and return that directory."""
    name = briefing.date.isoformat()
    default_dir = default_templates_dir()
    base_dir = Path(templates_dir) if templates_dir is not None else default_dir
    with staged_directory(out_root, name) as staged:
        data = json.dumps(briefing_to_json(briefing), ensure_ascii=False, indent=2) + "\n"
        write_synced(staged / "briefing.json", data.encode("utf-8"))
        html = render_html(briefing, templates_dir=templates_dir, page_size=page_size)
        write_synced(staged / "briefing.html", html.encode("utf-8"))
        pdf = render_pdf(html, base_dir, extra_dirs=[default_dir])
        write_synced(staged / "briefing.pdf", pdf)
    return Path(out_root) / name


__all__ = ["publish_edition", "staged_directory", "write_synced", "fsync_dir"]
