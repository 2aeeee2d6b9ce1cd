"""The one way to read a text file and the one way to write one: decoded with located errors, written atomically."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputError, Problem

BOM = b"\xef\xbb\xbf"


def decode_utf8(raw: bytes, name: str, problems: list[Problem], *, allowed: str = "UTF-8",
                bom_notice: bool = False) -> str | None:
    """Bytes as UTF-8 text (a byte-order mark dropped); None, with a located problem, when they are not UTF-8."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
        if bom_notice:
            problems.append(Problem(name, "read a UTF-8 byte-order mark (a spreadsheet export) and ignored it",
                                    line=1, severity="notice"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(Problem(name, "the file is not UTF-8 text", line=raw[:e.start].count(b"\n") + 1,
                                found=f"byte 0x{raw[e.start]:02x}", allowed=allowed))
        return None


def read_text(path: Path, name: str, problems: list[Problem], *, allowed: str = "UTF-8",
              bom_notice: bool = False) -> tuple[str | None, bytes]:
    """A file's text and its bytes; (None, b'') with a located problem when it cannot be read or decoded."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        problems.append(Problem(name, "is a folder, not a file", allowed="a file"))
        return None, b""
    except OSError as e:
        problems.append(Problem(name, f"cannot be read: {e.strerror or e}"))
        return None, b""
    return decode_utf8(raw, name, problems, allowed=allowed, bom_notice=bom_notice), raw


def _write_temp(folder: Path, prefix: str, data: bytes) -> str:
    """Write data to a new temporary file in folder, flushed to disk; return its path."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path | str, data: str | bytes, *, mode: int | None = None) -> Path:
    """Replace path with data through a temporary file in the same folder: a reader never sees half a file."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(path, f"it is a folder; give a file name such as {path / 'report.html'}")
    if not path.parent.is_dir():
        raise OutputError(path, f"the folder {path.parent} "
                                f"{'is a file, not a folder' if path.parent.exists() else 'does not exist'}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        tmp = _write_temp(path.parent, f".{path.name}.", raw)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp creates 0600; an output is an ordinary file
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(path, str(e.strerror or e)) from None
    return path


def write_new(folder: Path, data: bytes, name: Callable[[], str], tries: int = 10) -> Path:
    """Write data under a new name in folder (name() proposes one), atomically and never over an existing file."""
    tmp = _write_temp(folder, ".partial-", data)
    try:
        for _ in range(tries):
            final = folder / name()
            try:
                _link_new(tmp, final)
            except FileExistsError:
                continue
            fsync_dir(folder)
            return final
        raise FileExistsError(errno.EEXIST, "no free file name")
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _link_new(tmp: str, final: Path) -> None:
    try:
        os.link(tmp, final)
    except OSError as e:
        # Some file systems (SMB shares, some FUSE mounts) have no hard links; a rename is still atomic, and a
        # random part in the name makes a clash between the check and the rename practically impossible.
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK):
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(final)) from e
        os.rename(tmp, final)


def fsync_dir(folder: Path) -> None:
    """Make a folder's new names durable; not possible on every platform, and the data is on disk already."""
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
