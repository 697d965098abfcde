"""Writing outputs safely: the path checked first (never over an input, never at a folder,
a device or a pipe), then the bytes written atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from cashmgmt.errors import OutputError, Problem

#: Longest file name when the file system does not say (Linux, macOS and Windows: 255).
_NAME_MAX = 255


def _refuse(path: str | Path, expected: str) -> NoReturn:
    raise OutputError([Problem(str(path) or '""', "", expected)])


def _kind(mode: int) -> str:
    """What a file that is not a folder is, in words."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _existing_folder(path: str, target: Path) -> Path:
    """The nearest folder above `target` that exists (writing creates the ones below it),
    refusing a file in its place or a folder cashmgmt may not write in."""
    folder = target.absolute().parent
    while True:
        try:
            mode = os.stat(folder).st_mode
        except (FileNotFoundError, NotADirectoryError):  # not made yet, or under a file
            folder = folder.parent
            continue
        except OSError as exc:
            _refuse(path, f"expected a folder cashmgmt can reach; {folder}: {exc.strerror}")
        if not stat.S_ISDIR(mode):
            _refuse(path, f"expected a folder at {folder}, found a file")
        if not os.access(folder, os.W_OK | os.X_OK):
            _refuse(path, f"expected a folder cashmgmt may write in; {folder} is not writable")
        return folder


def _identities(inputs: Iterable[str | Path]) -> dict[tuple[int, int], str]:
    """(device, inode) of each input file that exists: the same file under any name,
    through a symbolic link or a hard link."""
    found: dict[tuple[int, int], str] = {}
    for item in inputs:
        try:
            info = os.stat(item)
        except OSError:
            continue
        found.setdefault((info.st_dev, info.st_ino), str(item))
    return found


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The output path, checked before anything is written: OutputError with one located
    problem for an empty path, a folder, a device, a pipe or a socket, one of the run's
    `inputs` (compared by device and inode, so links are caught), a path under a file, a
    name too long for the file system, or a folder cashmgmt may not write in."""
    text = str(path)
    if not text:
        _refuse(text, "expected a file path for the output, got an empty one")
    target = Path(text)
    if text.endswith(("/", os.sep)) or target.name in ("", ".", ".."):
        _refuse(text, "expected a file path for the output, got a folder's")
    folder = _existing_folder(text, target)
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not known, or not POSIX
        name_max = _NAME_MAX
    size = len(os.fsencode(target.name))
    if size > name_max:
        _refuse(text, f"expected a file name of at most {name_max} bytes, got {size}")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        _refuse(text, f"expected a path cashmgmt can write ({exc.strerror})")
    if stat.S_ISDIR(info.st_mode):
        _refuse(text, "expected a file for the output, found a folder")
    if not stat.S_ISREG(info.st_mode):
        _refuse(text, f"expected a regular file for the output, found {_kind(info.st_mode)}")
    same = _identities(inputs).get((info.st_dev, info.st_ino))
    if same is not None:
        _refuse(text, f"expected an output apart from the run's input files; this is {same}")
    return target


def check_folder(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """A folder to write a new case into, checked first: OutputError with one located
    problem for an empty path, a file, a path under a file, a folder that is or holds the
    folder of one of `inputs`, or a folder cashmgmt may not write in."""
    text = str(path)
    if not text:
        _refuse(text, "expected a folder path, got an empty one")
    target = Path(text)
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):  # a new folder (or one under a file)
        _existing_folder(text, target)
        return target
    except OSError as exc:
        _refuse(text, f"expected a folder cashmgmt can write in ({exc.strerror})")
    if not stat.S_ISDIR(info.st_mode):
        _refuse(text, f"expected a folder, found {_kind(info.st_mode)}")
    for item in inputs:
        above = [*Path(item).absolute().parents, *Path(item).resolve().parents]
        if any(_same(folder, info) for folder in above):
            _refuse(text, f"expected a folder apart from the case's own; it holds {item}")
    if not os.access(target, os.W_OK | os.X_OK):
        _refuse(text, "expected a folder cashmgmt may write in; it is not writable")
    return target


def _same(path: Path, info: os.stat_result) -> bool:
    """Whether `path` is the file or folder `info` describes."""
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def write_output(path: str | Path, data: bytes, inputs: Iterable[str | Path] = ()) -> Path:
    """Check the output path (`check_output`), then write `data` there atomically; a write
    that fails (no space, no permission) is an OutputError too, and leaves nothing behind."""
    target = check_output(path, inputs)
    try:
        return write_atomic(target, data)
    except OSError as exc:
        reason = exc.strerror or "the write failed"
        _refuse(str(path), f"expected a path cashmgmt can write; writing failed ({reason})")


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file and a rename, so readers never see
    half a file and a failed or interrupted write leaves the old file (if any) untouched
    and no temporary file behind."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output is an ordinary file
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
