"""The project's local PostgreSQL (vector, pg_trgm, uuid-ossp): ensure | status | stop | url.

Run with the project's venv: `.venv/bin/python bootstrap/postgres.py ensure` (or `bash bootstrap/postgres.sh`).
See bootstrap/pg/ for the parts and DESIGN.md section 6 for why it is built this way.
"""

import sys
from pathlib import Path

# Run as a script, the project root is not on sys.path unless the venv's .pth put it there.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bootstrap.pg.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
