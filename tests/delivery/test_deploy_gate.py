"""tools/delivery/deploy_stack.sh, the deploy jobs' step: up, health check, and on failure rollback + a failed job
that shows both results. Run with stand-in `pulumi` and `stagecraft` commands that record their calls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "delivery" / "deploy_stack.sh"


def _stand_ins(tmp_path: Path, health_exit: int, rollback_exit: int = 0) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    (bin_dir / "pulumi").write_text(f'#!/bin/sh\necho "pulumi $*" >> {log}\n'
                                    f'[ -z "$STAGECRAFT_OIDC_TOKEN" ] || echo "  token $STAGECRAFT_OIDC_TOKEN" >> {log}\n')
    # The runner's token service: a new token on every request, as GitHub issues one.
    (bin_dir / "curl").write_text(f'#!/bin/sh\necho "curl $*" >> {log}\n'
                                  f'n=$(grep -c "^curl " {log})\necho "{{\\"value\\": \\"oidc-$n\\"}}"\n')
    (bin_dir / "stagecraft").write_text(
        f'#!/bin/sh\necho "stagecraft $*" >> {log}\n'
        f'[ -z "$STAGECRAFT_OIDC_TOKEN" ] || echo "  token $STAGECRAFT_OIDC_TOKEN" >> {log}\n'
        f'case "$1" in\n'
        f'  health-check) echo "UNHEALTHY  api: https://api.example/health (HTTP 503)"; exit {health_exit};;\n'
        f'  rollback) echo "redeployed update 41 (image v1, builds of v1)"; exit {rollback_exit};;\n'
        f'esac\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(summary)}
    return {"env": env, "log": log, "summary": summary}


def _deploy(setup: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), "uat"], env=setup["env"], capture_output=True, text=True, timeout=60)


def test_healthy_deploy_passes_without_rollback(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=0)
    assert _deploy(setup).returncode == 0
    calls = setup["log"].read_text().splitlines()
    assert calls == ["pulumi up -s uat --yes --non-interactive --policy-pack policies", "stagecraft health-check -s uat"]


def test_failed_health_check_rolls_back_and_fails_with_both_results(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=1)
    result = _deploy(setup)
    assert result.returncode == 1
    assert setup["log"].read_text().splitlines()[-1] == "stagecraft rollback -s uat"
    summary = setup["summary"].read_text()
    assert "UNHEALTHY  api" in summary and "redeployed update 41" in summary
    assert "rolled back to the previous successful update" in result.stderr


def test_failed_rollback_is_said_plainly(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=1, rollback_exit=1)
    result = _deploy(setup)
    assert result.returncode == 1 and "ROLLBACK FAILED" in result.stderr


def test_failed_update_stops_before_the_health_check(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=0)
    (Path(setup["env"]["PATH"].split(os.pathsep)[0]) / "pulumi").write_text(
        f'#!/bin/sh\necho "pulumi $*" >> {setup["log"]}\nexit 255\n')
    assert _deploy(setup).returncode == 255
    assert setup["log"].read_text().splitlines() == ["pulumi up -s uat --yes --non-interactive --policy-pack policies"]


def test_without_a_token_service_no_oidc_token_is_asked_for(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=1)
    _deploy(setup)
    assert not [call for call in setup["log"].read_text().splitlines() if call.startswith(("curl", "  token"))]


def test_production_update_and_its_rollback_each_get_a_fresh_oidc_token_masked_in_the_log(tmp_path):
    setup = _stand_ins(tmp_path, health_exit=1)
    setup["env"].update(ACTIONS_ID_TOKEN_REQUEST_URL="https://token.example/request?api-version=2.0",
                        ACTIONS_ID_TOKEN_REQUEST_TOKEN="request-token")
    result = subprocess.run(["bash", str(SCRIPT), "production"], env=setup["env"], capture_output=True, text=True,
                            timeout=60)
    calls = [line for line in setup["log"].read_text().splitlines() if not line.startswith("curl")]
    assert calls == ["pulumi up -s production --yes --non-interactive --policy-pack policies", "  token oidc-1",
                     "stagecraft health-check -s production", "  token oidc-1",
                     "stagecraft rollback -s production", "  token oidc-2"]
    assert "::add-mask::oidc-1" in result.stdout and "::add-mask::oidc-2" in result.stdout
    requests = [line for line in setup["log"].read_text().splitlines() if line.startswith("curl")]
    assert requests == ['curl -sSf -H Authorization: bearer request-token '
                        'https://token.example/request?api-version=2.0&audience=stagecraft'] * 2
