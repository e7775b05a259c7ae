"""Process liveness, apart from the store so that the worker pool and an unchanged re-run need no
pyarrow to check it."""
from __future__ import annotations

import os
from pathlib import Path


def process_alive(pid: int, started: str | None = None) -> bool:
    """True while `pid` runs (a zombie counts as dead); with `started`, only the same process, not
    a later one that reuses the pid."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        if fields[0] in (b"Z", b"X"):
            return False  # a zombie: dead, not yet reaped by its parent
        if started is not None and fields[19].decode() != started:
            return False  # the pid now belongs to another process
        return True
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
