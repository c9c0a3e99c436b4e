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
    it to disk and :func:`os.replace` it onto ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
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
