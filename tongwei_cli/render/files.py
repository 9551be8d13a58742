"""Writing an output file whole or not at all, readable only by its owner.

The bytes go to a temporary file in the target's folder, which is flushed to the disk and
then renamed over the target (`os.replace`): a full disk, a killed process or a power cut
leaves the old file as it was, never a fragment. A file tongwei creates is 0600 whatever the
umask: even masked, an export is police records about fraud victims (case summaries and
notes are free text). Replacing an existing file keeps that file's mode (someone set it,
say, for the printer's account), except that a file holding revealed personal data is always
0600.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from tongwei_cli.core.errors import InvalidValue

PRIVATE = 0o600


def write_file(target: Path, data: bytes, *, revealed: bool = False) -> None:
    """Put `data` at `target` atomically; on failure remove the temporary file, leave the
    target untouched and raise one `--output` error that names it."""
    # Through a symbolic link, the file it points to is the one written (as before); the
    # link itself stays.
    final = Path(os.path.realpath(target))
    try:
        existing = os.stat(final)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise _failed(target, exc, None) from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # /dev/stdout, /dev/null, a named pipe: written into, never renamed over.
        _write_in_place(target, final, data)
        return
    mode = PRIVATE if revealed or existing is None else stat.S_IMODE(existing.st_mode)
    try:
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.",
                                    suffix=".partial")
    except OSError as exc:
        raise _failed(target, exc, existing) from None
    try:
        try:
            os.chmod(temp, mode)  # mkstemp made it 0600 already; exactly `mode` now
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise _failed(target, exc, existing) from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_in_place(target: Path, final: Path, data: bytes) -> None:
    try:
        fd = os.open(final, os.O_WRONLY | os.O_TRUNC)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise InvalidValue(f"cannot write {target}: {exc.strerror}", "output") from None


def _failed(target: Path, exc: OSError, existing: os.stat_result | None) -> InvalidValue:
    kept = "it was left as it was" if existing is not None else "nothing was written"
    return InvalidValue(f"cannot write {target}: {exc.strerror or exc}; {kept}", "output")
