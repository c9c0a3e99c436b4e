"""Atomic file writes: a reader (or a resumed run) sees the old file or the new
one, never a truncated one, and a failed write leaves the old file as it was.
Used by the reproduction records and results and by the experiments'
per-epoch checkpoints."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def atomic_write(path, write):
    """Call ``write(fh)`` on a temporary file in the folder of ``path``, flush
    it to disk and :func:`os.replace` it onto ``path``.

    A path that exists and is not a regular file (``/dev/stdout``, a named
    pipe, a device) is written in place: replacing it would swap the device
    for a plain file.  Errors name ``path``, never the temporary file."""
    import stat

    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(path, "wb") as fh:
                write(fh)
        except OSError as exc:
            raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror}") from None
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        _atomic_replace(path, tmp, write)
    except OSError as exc:
        if exc.filename is not None and str(tmp) in str(exc.filename):
            raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror}") from None
        raise


def _atomic_replace(path, tmp, write):
    try:
        # os.open honours the umask (NamedTemporaryFile would make it 0600)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path, data):
    """Write the bytes ``data`` to ``path`` atomically."""
    atomic_write(path, lambda fh: fh.write(data))


def atomic_dump(obj, path):
    """``joblib.dump(obj, path)``, atomically (the folder is created)."""
    import joblib

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda fh: joblib.dump(obj, fh))
