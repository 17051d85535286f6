"""The delivery workflows (.github/workflows): clean under actionlint, and read back for what DESIGN §7/§9 promise.

actionlint comes from bootstrap/actionlint.sh (built from the Go module proxy; `make actionlint`) and checks the
scripts with shellcheck (`make system-packages`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / ".github" / "actions"
PINNED = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+(/[A-Za-z0-9._/-]+)?@[0-9a-f]{40}$")

BRANCH_TO_STACK = {"develop": "uat", "staging": "beta", "release": "preprod", "main": "production"}
# Every job's permissions, exactly: what each needs and nothing more.
EXPECTED_PERMISSIONS = {
    ("deploy.yml", "deploy-uat"): {"contents": "read"},
    ("deploy.yml", "deploy-beta"): {"contents": "read"},
    ("deploy.yml", "deploy-preprod"): {"contents": "read"},
    ("deploy.yml", "deploy-production"): {"contents": "read", "actions": "read", "id-token": "write"},
    ("pr-check.yml", "affected"): {"contents": "read"},
    ("pr-check.yml", "preview"): {"contents": "read"},
    ("pr-check.yml", "summary"): {"contents": "read", "pull-requests": "write"},
    ("pr-stacks.yml", "deploy"): {"contents": "read"},
    ("pr-stacks.yml", "remove"): {"contents": "read"},
    ("sweep.yml", "sweep"): {"contents": "read", "pull-requests": "read"},
    ("compare.yml", "endpoint"): {"contents": "read"},
    ("compare.yml", "compare"): {"contents": "read"},
}


def _load(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _workflows() -> Dict[str, Dict[str, Any]]:
    return {path.name: _load(path) for path in sorted(WORKFLOWS.glob("*.yml"))}


def _triggers(workflow: Dict[str, Any]) -> Dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on") or workflow.get(True) or {}


def _runs(job: Dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))


def _uses() -> Iterator[Tuple[str, str]]:
    for path in [*WORKFLOWS.glob("*.yml"), *ACTIONS.glob("*/action.yml")]:
        document = _load(path)
        steps = [s for job in (document.get("jobs") or {}).values() for s in job.get("steps", [])]
        steps += (document.get("runs") or {}).get("steps", [])
        for step in steps:
            if "uses" in step:
                yield path.name, step["uses"]


def test_actionlint_reports_nothing():
    built = subprocess.run(["bash", str(ROOT / "bootstrap" / "actionlint.sh")], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: run `make system-packages` (actionlint checks run: scripts with it)"
    linted = subprocess.run([built.stdout.strip().splitlines()[-1], "-no-color", "-oneline",
                             f"-shellcheck={shellcheck}", "-pyflakes="], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert (linted.returncode, linted.stdout) == (0, ""), linted.stdout + linted.stderr


def test_branches_deploy_their_stacks_each_in_its_own_environment():
    deploy = _workflows()["deploy.yml"]
    assert sorted(_triggers(deploy)["push"]["branches"]) == sorted(BRANCH_TO_STACK)
    found = {}
    for job in deploy["jobs"].values():
        branch = re.fullmatch(r"github\.ref == 'refs/heads/([a-z]+)'", job["if"]).group(1)
        [stack] = [s["with"]["stack"] for s in job["steps"] if s.get("uses") == "./.github/actions/deploy-stack"]
        assert job["environment"] == stack
        found[branch] = stack
    assert found == BRANCH_TO_STACK


def test_production_job_waits_for_the_environment_and_may_mint_an_oidc_token():
    job = _workflows()["deploy.yml"]["jobs"]["deploy-production"]
    assert job["environment"] == "production" and job["if"] == "github.ref == 'refs/heads/main'"
    assert job["permissions"]["id-token"] == "write"
    # The token is minted by the deploy step itself, before each update (tests/delivery/test_deploy_gate.py).
    fetch = (ROOT / "tools" / "delivery" / "deploy_stack.sh").read_text()
    assert "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=stagecraft" in fetch and "STAGECRAFT_OIDC_TOKEN=" in fetch
    assert "::add-mask::" in fetch


def test_only_the_production_job_can_mint_an_oidc_token():
    minting = [(name, job_name) for name, wf in _workflows().items() for job_name, job in wf["jobs"].items()
               if (job.get("permissions") or {}).get("id-token")]
    assert minting == [("deploy.yml", "deploy-production")]


def test_deploys_go_through_the_health_gate_with_rollback():
    action = _load(ACTIONS / "deploy-stack" / "action.yml")
    cache, deploy = action["runs"]["steps"]
    assert "tools/delivery/deploy_stack.sh" in deploy["run"]
    # rollback serves earlier builds from .stagecraft/builds: it must survive the runner
    assert cache["uses"].startswith("actions/cache@") and cache["with"]["path"] == ".stagecraft/builds"
    script = (ROOT / "tools" / "delivery" / "deploy_stack.sh").read_text()
    assert "--policy-pack policies" in script and 'stagecraft health-check -s "$stack"' in script
    assert 'stagecraft rollback -s "$stack"' in script


def test_pr_stacks_follow_the_pull_request_lifecycle():
    workflow = _workflows()["pr-stacks.yml"]
    assert set(_triggers(workflow)["pull_request"]["types"]) == {"opened", "reopened", "synchronize", "closed"}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["if"] == "github.event.action != 'closed'"
    assert 'pulumi stack select --create "$PR_STACK"' in _runs(jobs["deploy"])
    assert 'pulumi up -s "$PR_STACK"' in _runs(jobs["deploy"])
    assert jobs["remove"]["if"] == "github.event.action == 'closed'"
    assert 'pulumi destroy -s "$PR_STACK"' in _runs(jobs["remove"])
    assert 'pulumi stack rm -s "$PR_STACK"' in _runs(jobs["remove"])
    assert jobs["deploy"]["env"]["PR_STACK"] == "pr-${{ github.event.pull_request.number }}"


def test_pr_check_previews_each_affected_stack_under_the_pack_and_posts_one_summary():
    workflow = _workflows()["pr-check.yml"]
    assert set(_triggers(workflow)["pull_request"]["types"]) == {"opened", "synchronize", "reopened"}
    jobs = workflow["jobs"]
    assert "stagecraft affected-stacks" in _runs(jobs["affected"])
    assert jobs["preview"]["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.affected.outputs.stacks) }}"
    assert "--policy-pack policies" in _runs(jobs["preview"])
    assert "stagecraft pr-summary" in _runs(jobs["summary"])


def test_sweep_and_comparison_run_on_a_schedule():
    workflows = _workflows()
    for name, command in (("sweep.yml", "stagecraft sweep"), ("compare.yml", "stagecraft compare")):
        assert _triggers(workflows[name])["schedule"], name
        assert any(command in _runs(job) for job in workflows[name]["jobs"].values()), name


@pytest.mark.parametrize("where,uses", list(_uses()), ids=lambda v: str(v))
def test_every_action_is_local_or_pinned_by_a_full_commit_sha(where, uses):
    assert uses.startswith("./") or PINNED.match(uses), f"{where}: {uses} is not pinned by a 40-hex commit SHA"


def test_pinned_actions_name_their_release_beside_the_sha():
    for path in [*WORKFLOWS.glob("*.yml"), *ACTIONS.glob("*/action.yml")]:
        for line in path.read_text().splitlines():
            if re.search(r"uses: [^.].*@[0-9a-f]{40}", line):
                assert re.search(r"@[0-9a-f]{40} # v\d", line), f"{path.name}: {line.strip()}"


def test_workflows_grant_nothing_by_default():
    for name, workflow in _workflows().items():
        assert workflow.get("permissions") == {}, f"{name}: top-level permissions must be {{}}"


def test_every_job_has_exactly_the_permissions_it_needs():
    found = {(name, job_name): job.get("permissions") for name, wf in _workflows().items()
             for job_name, job in wf["jobs"].items()}
    assert found == EXPECTED_PERMISSIONS


def test_jobs_that_run_pull_request_code_with_secrets_cannot_write():
    jobs = _workflows()["pr-check.yml"]["jobs"]
    assert "write" not in jobs["preview"]["permissions"].values()


def test_the_job_with_a_write_token_runs_the_base_branchs_code_not_the_prs():
    [checkout] = [s for s in _workflows()["pr-check.yml"]["jobs"]["summary"]["steps"]
                  if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert checkout["with"]["persist-credentials"] is False
