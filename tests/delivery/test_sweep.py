"""`stagecraft sweep` against the GitHub emulator and a real file backend holding a few tiny stacks.

Stacks: pr-1 (its PR is open), pr-2 and pr-3 (closed), pr-9 (no such PR), uat (not a PR stack). Each holds one
marker file while it exists, so a destroy is visible on disk.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from tests.emulators import ConformanceRegistry, GitHubEmulator
from tests.engine.cli import engine_env
from tools.cli import main
from tools.delivery.pulumi_cli import PulumiCli
from tools.delivery.sweep import plan, sweep

pytestmark = pytest.mark.engine

TINY = Path(__file__).resolve().parent / "projects" / "tiny"
ROOT = Path(__file__).resolve().parents[2]
REPO = "acme/shop"
STACKS = ("pr-1", "pr-2", "pr-3", "pr-9", "uat")


def test_plan_removes_closed_keeps_open_and_leaves_unknown_alone():
    decided = plan(["uat", "pr-1", "pr-2", "pr-9", "pr-x", "production"], {1: "open", 2: "closed"})
    assert (decided.remove, decided.keep, decided.unknown) == (("pr-2",), ("pr-1",), ("pr-9",))


def _tiny_project(tmp_path: Path):
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    (root / "Pulumi.yaml").write_text(f"name: tiny\nruntime:\n  name: python\n  options:\n"
                                      f"    virtualenv: {ROOT / '.venv'}\n")
    markers = tmp_path / "markers"
    markers.mkdir()
    (tmp_path / "state").mkdir()
    cli = PulumiCli(cwd=root, env=engine_env(f"file://{tmp_path / 'state'}", "sweep-test-passphrase"))
    for stack in STACKS:
        for args in (("stack", "init", stack), ("config", "set", "markerFolder", str(markers), "-s", stack),
                     ("up", "--yes", "--skip-preview", "-s", stack)):
            result = cli.run(*args)
            assert result.ok, result.stdout + result.stderr
    return cli, markers


@pytest.fixture
def project(tmp_path):
    """The tiny project with its stacks up, on its own file backend (for tests that remove stacks)."""
    return _tiny_project(tmp_path)


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """The same, shared by the tests that must leave every stack in place."""
    return _tiny_project(tmp_path_factory.mktemp("untouched"))


@pytest.fixture
def github():
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    emu.add_pull(REPO, 1, state="open")
    emu.add_pull(REPO, 2, state="closed")
    emu.add_pull(REPO, 3, state="closed")
    with emu.serve() as base_url:
        yield emu, base_url


def _markers(folder: Path) -> set:
    return {p.stem for p in folder.glob("*.marker")}


def test_sweep_destroys_and_removes_exactly_the_closed_pr_stacks(project, github):
    cli, markers = project
    emu, _ = github
    states = {p["number"]: p["state"] for p in emu.objects("pulls")}
    report = io.StringIO()
    assert sweep(cli, states, out=report) == 0
    assert sorted(cli.stack_names()) == ["pr-1", "pr-9", "uat"]
    assert _markers(markers) == {"pr-1", "pr-9", "uat"}
    assert "removed pr-2" in report.getvalue() and "ignore  pr-9" in report.getvalue()


def test_dry_run_removes_nothing(untouched):
    cli, markers = untouched
    report = io.StringIO()
    assert sweep(cli, {1: "open", 2: "closed", 3: "closed"}, dry_run=True, out=report) == 0
    assert sorted(cli.stack_names()) == sorted(STACKS) and _markers(markers) == set(STACKS)
    assert "would remove pr-2" in report.getvalue()


def test_sweep_command_lists_the_pull_requests_through_the_api(project, github, monkeypatch, capsys):
    cli, markers = project
    emu, base_url = github
    monkeypatch.setattr("os.environ", {**cli.env, "GITHUB_API_URL": base_url, "GITHUB_TOKEN": "job-token",
                                       "GITHUB_REPOSITORY": REPO})
    monkeypatch.setattr("tools.delivery.sweep.PulumiCli", lambda cwd: cli)
    assert main(["sweep", "--project-dir", str(cli.cwd)]) == 0
    assert sorted(cli.stack_names()) == ["pr-1", "pr-9", "uat"]
    assert any(r.path == f"/repos/{REPO}/pulls" and r.status == 200 for r in emu.requests)


def test_failed_pull_request_listing_touches_nothing(untouched, monkeypatch, capsys):
    cli, markers = untouched
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    with emu.serve() as base_url:  # the repository does not exist there: 404
        monkeypatch.setattr("os.environ", {**cli.env, "GITHUB_API_URL": base_url, "GITHUB_TOKEN": "t",
                                           "GITHUB_REPOSITORY": REPO})
        monkeypatch.setattr("tools.delivery.sweep.PulumiCli", lambda cwd: cli)
        assert main(["sweep", "--project-dir", str(cli.cwd)]) == 2
    assert "HTTP 404" in capsys.readouterr().err
    assert sorted(cli.stack_names()) == sorted(STACKS)


def test_a_stack_whose_destroy_fails_is_kept_and_reported(project, monkeypatch):
    cli, markers = project
    real_run = cli.run

    def failing_destroy(*args):
        if args[:1] == ("destroy",) and "pr-2" in args:
            return type(real_run("version"))(list(args), 1, "", "error: the provider refused")
        return real_run(*args)

    monkeypatch.setattr(cli, "run", failing_destroy)
    report = io.StringIO()
    assert sweep(cli, {2: "closed", 3: "closed"}, out=report) == 1
    assert "FAILED  pr-2: destroy failed (the provider refused)" in report.getvalue()
    assert "pr-2" in cli.stack_names() and "pr-3" not in cli.stack_names()
