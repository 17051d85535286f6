"""What every `preview` and `up` imports before it registers a resource: the settings and the composition, but not
the platforms' HTTP clients (httpx) nor production's approval verifier (PyJWT, cryptography), which only the stacks
that use them load. Together those took ~0.25 s of each program run (`python -X importtime`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("httpx", "jwt", "cryptography")


def _loaded_after(statement: str) -> set[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_program_loads_its_settings_without_http_clients_or_the_verifier() -> None:
    assert _loaded_after("import components.program, settings.pulumi_source") == set()


def test_the_verifier_still_loads_when_asked_for() -> None:
    assert _loaded_after("from policies.stagecraft_approval import verify_approval") >= {"jwt"}
