"""The one way to read a text file and the one way to write one: decoded with located errors, written atomically,
never over a file the command reads."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import OutputError, Problem

BOM = b"\xef\xbb\xbf"
MAX_BYTES = 512 * 1024 * 1024  # no table or .bib of a guideline comes near; /dev/zero would


def read_bytes(path: Path, name: str, problems: list[Problem], *, max_bytes: int = MAX_BYTES) -> bytes | None:
    """A regular file's bytes (links followed); None, with a located problem, for a folder, a device, a pipe, a
    socket, a missing or unreadable file, or one larger than max_bytes."""
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; a regular file ignores it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        problems.append(Problem(name, "is a folder, not a file", allowed="a file"))
        return None
    except FileNotFoundError:
        problems.append(Problem(name, "does not exist", allowed="a file"))
        return None
    except OSError as e:
        problems.append(Problem(name, f"cannot be read: {e.strerror or e}"))
        return None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            problems.append(Problem(name, "is a folder, not a file", allowed="a file"))
            return None
        if not stat.S_ISREG(mode):
            kind = ("a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            problems.append(Problem(name, "is not a regular file, so it is not read", found=kind,
                                    allowed="a regular file (a link to one is fine)"))
            return None
        chunks, size = [], 0
        while size <= max_bytes:  # read, not trust st_size: a file can grow while it is read
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            problems.append(Problem(name, "is too large to be read", found=f"more than {max_bytes:,} bytes",
                                    allowed=f"at most {max_bytes:,} bytes"))
            return None
        return b"".join(chunks)
    except OSError as e:
        problems.append(Problem(name, f"cannot be read: {e.strerror or e}"))
        return None
    finally:
        os.close(fd)


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
              bom_notice: bool = False, max_bytes: int = MAX_BYTES) -> tuple[str | None, bytes]:
    """A regular file's text and its bytes; (None, b'') with a located problem when it cannot be read or decoded."""
    raw = read_bytes(path, name, problems, max_bytes=max_bytes)
    if raw is None:
        return None, b""
    return decode_utf8(raw, name, problems, allowed=allowed, bom_notice=bom_notice), raw


MAX_TOML_DEPTH = 32  # of tables and arrays: a manifest or a scheme needs four; thousands would exhaust the stack


def parse_toml(text: str, name: str, problems: list[Problem], *, allowed: str) -> dict | None:
    """TOML text as a dict, or None with the problem (the line where the parser stopped) added to `problems`: the
    one TOML reader of the manifest, scheme files and instruments. Nesting deeper than MAX_TOML_DEPTH is refused
    before anything walks it."""
    import tomllib
    nested = _nesting(text)
    if nested is not None:
        problems.append(Problem(name, f"nested more than {MAX_TOML_DEPTH} levels deep", line=nested,
                                allowed=f"TOML nested as the documentation shows ({allowed})"))
        return None
    try:
        return tomllib.loads(text)
    except RecursionError:  # nesting hidden from the count above (inside a string it cannot see into)
        problems.append(Problem(name, "nested deeper than the TOML reader follows", allowed=f"TOML, {allowed}"))
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r" \(at line \d+, column \d+\)", "", str(e))
        problems.append(Problem(name, f"not valid TOML: {msg}", line=int(m.group(1)) if m else None,
                                allowed=f"TOML, {allowed}"))
    return None


def read_toml(path: Path, name: str, *, allowed: str) -> dict:
    """A TOML file read whole (a regular UTF-8 file) and parsed by `parse_toml`; raise ValidationError with every
    problem located (the scheme and instrument files' one reader)."""
    from ..errors import raise_if_errors
    problems: list[Problem] = []
    text, _ = read_text(path, name, problems)
    data = parse_toml(text, name, problems, allowed=allowed) if text is not None else None
    raise_if_errors(problems)
    assert data is not None
    return data


def _nesting(text: str) -> int | None:
    """The line where inline arrays and tables open more than MAX_TOML_DEPTH deep, or None (strings and comments
    skipped, in one pass)."""
    depth, line, quote, i, n = 0, 1, "", 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if quote:
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            if c == "\\" and quote in ('"', '"""'):
                i += 2
                continue
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in "\"'":
            quote = text[i:i + 3] if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return line
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


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


def refuse_inputs(path: Path | str, protected: Iterable[Path | str]) -> None:
    """Raise OutputError when writing `path` would replace a protected file, or put a file inside a protected
    folder: links are followed and real paths compared (a hard link to a protected file counts as that file)."""
    real = Path(os.path.realpath(path))
    for p in protected:
        guarded = Path(os.path.realpath(p))
        inside = guarded in real.parents and guarded.is_dir()
        if real == guarded or inside or _same_file(real, guarded):
            raise OutputError(path, f"it would write {'inside' if inside else 'over'} {p}, one of the guideline's own "
                                    "files, which this command reads; nothing was written — give a path outside "
                                    "the guideline folder, e.g. reports/report.html")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# The guideline an installed package carries (io.scaffold.PACKAGED): read-only, so that nothing a user saves goes
# into site-packages, where the next upgrade of the package would lose it.
PACKAGED = Path(__file__).resolve().parents[1] / "data" / "bundled-guideline"
COPY_FIRST = ("the guideline bundled inside the installed package is read-only; copy it first with "
              "`grading new FOLDER --example` and work there (--root FOLDER, or GRADING_ROOT)")


def refuse_packaged(path: Path) -> None:
    """Refuse a write into the copy of the bundled guideline the installed package carries."""
    if path.resolve().is_relative_to(PACKAGED):
        raise OutputError(path, COPY_FIRST)


def write_atomic(path: Path | str, data: str | bytes, *, mode: int | None = None,
                 protect: Iterable[Path | str] = ()) -> Path:
    """Replace path with data through a temporary file in the same folder: a reader never sees half a file.

    `protect` lists the files (and folders) the caller read: the write is refused when path is one of them."""
    path = Path(path)
    refuse_packaged(path)
    refuse_inputs(path, protect)
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
    refuse_packaged(folder)
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


@contextlib.contextmanager
def exclusive_lock(path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created when absent) among the processes of this machine; raise
    TimeoutError when another process holds it for longer than `timeout` seconds."""
    refuse_packaged(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise TimeoutError(errno.EAGAIN, f"the lock {path} is held by another process", str(path))
            time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# --- CSV for spreadsheets --------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")


def spreadsheet_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or CR) gets a leading apostrophe, so
    it is never run as a formula; a plain number such as -0.5 stays a number."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text for a spreadsheet (an export, a worklist), every cell passed through spreadsheet_cell.

    Not for a guideline's own tables: those are data read back by the toolkit, where a cell is kept as written."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([spreadsheet_cell(h) for h in header])
    w.writerows([spreadsheet_cell(v) for v in row] for row in rows)
    return out.getvalue()


def write_spreadsheet_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[object]], *,
                          protect: Iterable[Path | str] = ()) -> Path:
    """Write spreadsheet_csv(header, rows) to path atomically (never over a protected file): every CSV the
    toolkit writes for people to open goes through here."""
    return write_atomic(path, spreadsheet_csv(header, rows), protect=protect)
