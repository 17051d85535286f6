"""`port.json` in a clone's PostgreSQL state directory: the port of that clone's own server.

Written by the bootstrap (bootstrap/pg/ports.py) when it chooses or keeps the port; read by the Pulumi program
(settings/own_server.py) to find "this clone's own server". Standard library only, so the program can import it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Optional

RECORD_NAME = "port.json"


def recorded(state_dir: Path) -> Optional[int]:
    """The port recorded for `state_dir`, or None: no record, or one that names another state directory (it
    came with a copy of the project, so the server it means is not this clone's)."""
    try:
        record = json.loads((Path(state_dir) / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("state_dir") != os.path.realpath(state_dir):
        return None
    port = record.get("port")
    return port if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535 else None


def write(state_dir: Path, port: int) -> None:
    """Record `port` for `state_dir` (replacing the file in one rename, readable by everyone: it holds no secret)."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"port": port, "state_dir": os.path.realpath(state_dir),
                       "chosen_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", dir=state_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, state_dir / RECORD_NAME)
