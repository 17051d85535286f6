"""The policy pack on the real engine: previews and updates of a stand-in project under the pack.

The project (``projects/guarded``) registers the resource contract's type tokens with fake providers, so it
needs no network. Every run uses a file backend and a Pulumi home under the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_SH = ROOT / "bootstrap" / "env.sh"
POLICIES = ROOT / "policies"
PROJECT = Path(__file__).resolve().parent / "projects" / "guarded"

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(not ENV_SH.exists(), reason="bootstrap/env.sh is absent: no Pulumi engine to run the pack on"),
]

# Approval evidence a CI environment may carry; stripped so the runs here start without any. The production
# approval on the real engine is tested in tests/delivery/test_approval_engine.py.
EVIDENCE_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_RUN_ID", "GITHUB_REF", "GITHUB_ACTOR", "GITHUB_TOKEN",
                      "STAGECRAFT_APPROVAL", "STAGECRAFT_OIDC_TOKEN")


class Engine:
    """Runs ``pulumi`` in a copy of the stand-in project with an isolated backend."""

    def __init__(self, workdir: Path) -> None:
        self.project = workdir / "project"
        shutil.copytree(PROJECT, self.project, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
        (self.project / "Pulumi.yaml").write_text(
            "name: guarded\nruntime:\n  name: python\n  options:\n"
            f"    virtualenv: {ROOT / '.venv'}\n", encoding="utf-8")
        state, home = workdir / "state", workdir / "home"
        state.mkdir()
        home.mkdir()
        base = {k: v for k, v in os.environ.items() if k not in EVIDENCE_VARIABLES}
        base.update(PULUMI_BACKEND_URL=f"file://{state}", PULUMI_HOME=str(home))
        sourced = subprocess.run(
            ["bash", "-c", f'source "{ENV_SH}" >/dev/null && env -0'],
            env=base, capture_output=True, check=True, timeout=900,
        ).stdout.decode()
        self.env = dict(line.split("=", 1) for line in sourced.split("\0") if "=" in line)
        self.env.update(PULUMI_CONFIG_PASSPHRASE="policy-tests", PULUMI_SKIP_UPDATE_CHECK="1")

    def run(self, *args: str, extra_env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
        """One ``pulumi`` command; never raises on a non-zero exit (callers assert on it)."""
        env = dict(self.env, **(extra_env or {}))
        return subprocess.run(["pulumi", *args, "--non-interactive", "--color=never"], cwd=self.project, env=env,
                              capture_output=True, text=True, timeout=300)

    def init(self, stack: str, **config: str) -> None:
        """Create a stack and set its config."""
        assert self.run("stack", "init", stack).returncode == 0
        for key, value in config.items():
            self.set(stack, key, value)

    def set(self, stack: str, key: str, value: str) -> None:
        """Set one config value of the stand-in project."""
        assert self.run("config", "set", "-s", stack, key, value).returncode == 0

    def preview(self, stack: str, *flags: str, extra_env: Optional[Dict[str, str]] = None):
        """``pulumi preview`` under the pack."""
        return self.run("preview", "-s", stack, "--policy-pack", str(POLICIES), *flags, extra_env=extra_env)

    def up(self, stack: str, *flags: str, extra_env: Optional[Dict[str, str]] = None):
        """``pulumi up --yes`` under the pack."""
        return self.run("up", "-s", stack, "--yes", "--policy-pack", str(POLICIES), *flags, extra_env=extra_env)

    def resources(self, stack: str) -> List[dict]:
        """The stack's resources as exported (type, name, inputs, outputs)."""
        exported = self.run("stack", "export", "-s", stack, "--show-secrets")
        assert exported.returncode == 0, exported.stderr
        deployment = json.loads(exported.stdout).get("deployment", {})
        return [{k: r.get(k) for k in ("urn", "type", "inputs", "outputs")} for r in deployment.get("resources") or []]


def _text(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return Engine(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="module")
def dev(engine: Engine) -> str:
    """A ``dev`` stack brought up compliant, as the baseline the breaking changes start from."""
    engine.init("dev")
    result = engine.up("dev")
    assert result.returncode == 0, _text(result)
    return "dev"


def test_dev_preview_passes_under_the_pack(engine, dev):
    result = engine.preview(dev)
    assert result.returncode == 0 and "Policy Violations" not in result.stdout, _text(result)


def _breaks(engine: Engine, stack: str, expected: List[str], *flags: str) -> None:
    """Preview and up both fail with the expected message parts, and the stack's state is unchanged."""
    before = engine.resources(stack)
    preview = engine.preview(stack, *flags)
    up = engine.up(stack, *flags)
    after = engine.resources(stack)
    assert preview.returncode != 0 and up.returncode != 0, _text(preview) + _text(up)
    for part in expected:
        assert part in preview.stdout and part in up.stdout, f"{part!r} missing from:\n{_text(preview)}{_text(up)}"
    assert after == before


def test_paid_plan_in_dev_fails_preview_and_up_and_changes_nothing(engine, dev):
    engine.set(dev, "instanceType", "nano")
    try:
        _breaks(engine, dev, ["[mandatory]  stagecraft-guard v0.1.0  free-tier-plan",
                              "instance_type is 'nano', a paid Koyeb option",
                              "fix: set instance_type to 'free'"])
    finally:
        engine.set(dev, "instanceType", "free")


def test_plain_text_secret_in_dev_fails_preview_and_up_and_changes_nothing(engine, dev):
    engine.set(dev, "plainSecret", "true")
    try:
        _breaks(engine, dev, ["secret-hygiene",
                              "input values.DATABASE_URL is not a Pulumi secret but looks like a URL with a password"])
    finally:
        engine.set(dev, "plainSecret", "false")


def test_plain_text_secret_value_is_not_printed(engine, dev):
    engine.set(dev, "plainSecret", "true")
    try:
        assert "local-password" not in engine.preview(dev).stdout
    finally:
        engine.set(dev, "plainSecret", "false")


def test_cost_over_budget_in_dev_fails_preview_and_up_and_changes_nothing(engine, dev, tmp_path):
    allow_render = tmp_path / "dev-paid-render.json"
    allow_render.write_text(json.dumps({"free-tier-plan": {"paidPlatforms": ["render"]}}))
    engine.set(dev, "renderPlan", "starter")
    try:
        _breaks(engine, dev, ["monthly-budget",
                              "the estimated monthly cost of stack 'dev' is $7.00, over its budget of $0.00",
                              "plan 'starter' $7.00/month"],
                "--policy-pack-config", str(allow_render))
    finally:
        assert engine.run("config", "rm", "-s", dev, "renderPlan").returncode == 0


@pytest.fixture(scope="module")
def config_engine(tmp_path_factory) -> Engine:
    """A separate backend, so stacks named like the real ones do not meet the dev baseline above."""
    return Engine(tmp_path_factory.mktemp("config-engine"))


@pytest.mark.parametrize("name", sorted(p.stem for p in (POLICIES / "config").glob("*.json")))
def test_engine_accepts_each_stack_config_file(config_engine, name):
    stack = "pr-1" if name == "pr" else name
    config_engine.init(stack, scenario="minimal")
    result = config_engine.preview(stack, "--policy-pack-config", str(POLICIES / "config" / f"{name}.json"))
    assert result.returncode == 0, _text(result)
    assert "validating policy config" not in _text(result)


def test_engine_rejects_a_config_file_that_breaks_the_schema(config_engine, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"monthly-budget": {"budgetUsd": -5}}))
    config_engine.init("bad-config", scenario="minimal")
    result = config_engine.preview("bad-config", "--policy-pack-config", str(bad))
    assert result.returncode != 0 and "validating policy config" in _text(result), _text(result)
