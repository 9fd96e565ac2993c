"""Files written through directory descriptors, following no symlink, so no swap can send a write elsewhere.

trueup writes where pull requests have a say: live roots (``fix --apply``), the repository (the audit
log, the baseline), ``--patches DIR`` and report files in a checkout. Checking a path and then using it
by name leaves a window in which a symlink can be swapped in. Here a trusted base directory is reduced
once to its real path; that path and every component below it are opened one at a time, each relative
to the descriptor of the one before, with ``O_NOFOLLOW``. Files are created with ``O_EXCL`` and moved
into place by renaming between two names of the same directory descriptor. A symlink met anywhere, at
any moment, is a refusal (:class:`Unsafe`), never a write outside the base.

What is trusted is what the user named: a path below the working directory is opened without following
from the working directory down; any other path is opened without following below its parent directory.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Sequence

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
# Directories on the way are opened for search only where the system allows it (Linux's O_PATH), so a
# directory one may pass through but not list (mode 0711) is no obstacle.
_PASS = _DIRECTORY | getattr(os, "O_PATH", 0)
_NAME_MAX = 255  # bytes, on every file system trueup writes to
READ_CAP = 1 << 30  # a file re-read before a write is compared with what was read; past this it changed


class Unsafe(Exception):
    """A component that is a symlink, not a directory, or not a plain name: refused, not followed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def anchor(path: Path) -> tuple[Path, tuple[str, ...]]:
    """(trusted base directory, components below it) for ``path`` as the user named it: below the
    working directory when it lies there, else below its own parent directory."""
    absolute = Path(os.path.abspath(path))
    cwd = Path(os.getcwd())
    try:
        return Path("."), absolute.relative_to(cwd).parts
    except ValueError:
        return absolute.parent, (absolute.name,)


def below(base: Path, path: Path) -> tuple[str, ...]:
    """``path``'s components below ``base`` (both taken lexically); Unsafe when it is not below."""
    try:
        parts = Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).parts
    except ValueError:
        raise Unsafe(str(path), f"not inside {base}") from None
    if not parts:
        raise Unsafe(str(path), f"is {base} itself, not a file inside it")
    return parts


def _check_part(part: str, where: str) -> None:
    if part in ("", ".", "..") or "/" in part or "\0" in part:
        raise Unsafe(where, "not a plain name")


def open_dir(base: Path, parts: Sequence[str] = (), create: bool = False, resolve: bool = True) -> int:
    """A descriptor of ``base/parts...``: ``base`` by its real path, every component (the real path's
    own included) opened with ``O_NOFOLLOW``; ``create`` makes missing directories on the way.
    ``resolve=False``: ``base`` is a real path taken earlier, and a symlink in it now is refused."""
    real = Path(os.path.realpath(base) if resolve else os.path.abspath(base))
    fd = os.open("/", _PASS)
    walked = Path("/")
    try:
        for i, part in enumerate([*real.parts[1:], *parts]):
            # Named as the user would: the real path above ``base``, ``base`` as given below it.
            walked = walked / part if i < len(real.parts) - 1 else base.joinpath(*parts[:i - len(real.parts) + 2])
            _check_part(part, str(walked))
            try:
                child = _open_child(fd, part, create)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise Unsafe(_shown(walked), _what(fd, part)) from None
                raise
            os.close(fd)
            fd = child
        return _listable(fd)
    except BaseException:
        os.close(fd)
        raise


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies there, as a user would name it."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd()).as_posix() or "."
    except ValueError:
        return str(path)


def _what(dir_fd: int, name: str) -> str:
    try:
        link = stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        link = False
    return "a symlink; refused, not followed" if link else "not a directory"


def _listable(fd: int) -> int:
    """The directory reopened for reading (so it can be fsynced), else as it is."""
    if not getattr(os, "O_PATH", 0):
        return fd
    try:
        readable = os.open(".", _DIRECTORY, dir_fd=fd)
    except OSError:
        return fd
    os.close(fd)
    return readable


def _open_child(fd: int, part: str, create: bool) -> int:
    try:
        return os.open(part, _PASS, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
    try:
        os.mkdir(part, 0o777, dir_fd=fd)
    except FileExistsError:
        pass
    return os.open(part, _PASS, dir_fd=fd)


def open_file(dir_fd: int, name: str, flags: int, mode: int = 0o644) -> int:
    """``name`` in ``dir_fd``, never through a symlink (``Unsafe`` names it)."""
    _check_part(name, name)
    try:
        return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unsafe(name, "a symlink; refused, not followed") from None
        raise


def read_regular(dir_fd: int, name: str, cap: int = READ_CAP) -> tuple[bytes, os.stat_result]:
    """The bytes (at most ``cap`` + 1) and status of the regular file ``name``; Unsafe for anything else."""
    fd = open_file(dir_fd, name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise Unsafe(name, "not a regular file; refused")
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), status
    finally:
        os.close(fd)


def sibling_name(name: str, suffix: str, prefix: str = "") -> str:
    """``prefix + name + suffix``, with ``name`` cut (and told apart by a random tag) when the whole
    would pass the file-name limit."""
    room = _NAME_MAX - len((prefix + suffix).encode("utf-8", "surrogateescape"))
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        name = encoded[:max(room - 9, 1)].decode("utf-8", "ignore") + "~" + secrets.token_hex(4)
    return prefix + name + suffix


def create_exclusive(dir_fd: int, data: bytes, name: str, mode: int) -> None:
    """Write ``data`` to the new file ``name`` (failing if anything is there), ``mode`` set before a
    byte is written, and fsynced."""
    fd = open_file(dir_fd, name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
        raise
    os.close(fd)


def create_temp(dir_fd: int, data: bytes, near: str, mode: int) -> str:
    """A new hidden file in ``dir_fd`` holding ``data``; its name (``.<near>.<random>.trueup-tmp``)."""
    for _ in range(100):
        name = sibling_name(near, f".{secrets.token_hex(6)}.trueup-tmp", ".")
        try:
            create_exclusive(dir_fd, data, name, mode)
        except FileExistsError:
            continue
        return name
    raise FileExistsError(errno.EEXIST, "no free temporary name")


def write_atomic(base: Path, parts: Sequence[str], data: bytes, mode: int = 0o644,
                 replace: bool = True, resolve: bool = True) -> None:
    """``base/parts...`` holds ``data`` afterwards, written whole or not at all: directories made and a
    temporary file renamed into place, all through descriptors; a file replaced keeps its mode.
    ``replace=False`` fails (``FileExistsError``) rather than replace anything there."""
    if not parts:
        raise Unsafe(str(base), "is a directory, not a file")
    dir_fd = open_dir(base, parts[:-1], create=True, resolve=resolve)
    try:
        name = parts[-1]
        _check_part(name, str(Path(base, *parts)))
        if replace:
            try:
                status = os.lstat(name, dir_fd=dir_fd)
                mode = status.st_mode & 0o7777 if stat.S_ISREG(status.st_mode) else mode
            except FileNotFoundError:
                pass
        temp = create_temp(dir_fd, data, name, mode)
        try:
            if replace:
                os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            else:
                os.link(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        finally:
            if not replace or _exists(dir_fd, temp):
                os.unlink(temp, dir_fd=dir_fd)
        sync_dir(dir_fd)
    finally:
        os.close(dir_fd)


def open_truncated(base: Path, parts: Sequence[str], mode: int = 0o644) -> int:
    """A descriptor for (re)writing ``base/parts...`` from its start, directories made on the way; the
    file, new or not, gets ``mode``."""
    if not parts:
        raise Unsafe(str(base), "is a directory, not a file")
    dir_fd = open_dir(base, parts[:-1], create=True)
    try:
        fd = open_file(dir_fd, parts[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0), mode)
    finally:
        os.close(dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Unsafe(str(Path(base, *parts)), "not a regular file; refused")
    os.set_blocking(fd, True)
    os.fchmod(fd, mode)
    return fd


def sync_dir(dir_fd: int) -> None:
    """Make a rename or unlink in ``dir_fd`` durable where the descriptor allows it."""
    try:
        os.fsync(dir_fd)
    except OSError:
        pass


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def write_named(path: Path, data: bytes, root: Path | None = None) -> None:
    """:func:`write_atomic` for a path as the user named it: following no symlink below ``root``
    when it lies there, else below what :func:`anchor` trusts."""
    if root is not None and path.is_relative_to(root):
        base, parts = root, below(root, path)
    else:
        base, parts = anchor(path)
    write_atomic(base, parts, data)


def open_named(path: Path, mode: int = 0o644) -> int:
    """:func:`open_truncated` for a path as the user named it (see :func:`anchor`)."""
    base, parts = anchor(path)
    return open_truncated(base, parts, mode)
