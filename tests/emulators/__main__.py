"""Entry point: `python -m tests.emulators <koyeb|neon|upstash> [--port N] ...` (see cli.py)."""

import sys

from .cli import main

sys.exit(main())
