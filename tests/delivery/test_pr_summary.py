"""`stagecraft pr-summary`: reading previews, rendering one comment, posting it once and then editing it in place
(against the GitHub emulator)."""

from __future__ import annotations

import io

import pytest

from tests.delivery.previews import ADVISORY, FAILED, PASSING, REFUSED
from tests.emulators import ConformanceRegistry, GitHubEmulator
from tools.cli import main
from tools.delivery.github_api import GitHubClient, GitHubSettings
from tools.delivery.pr_summary import MARKER, MAX_BODY, render, upsert
from tools.delivery.preview_report import parse_preview

REPO = "acme/shop"


def test_passing_preview_reads_its_changes():
    report = parse_preview("uat", PASSING, 0)
    assert report.verdict == "passes" and report.changes == {"create": 1, "update": 1, "unchanged": 4}


def test_mandatory_violations_make_the_verdict_refused():
    report = parse_preview("beta", REFUSED, 255)
    assert report.verdict == "refused"
    assert [(v.policy, v.subject) for v in report.mandatory] == [
        ("free-tier-plan", "pulumi-python:dynamic/koyeb:Service: api"),
        ("monthly-budget", "pulumi:pulumi:Stack: guarded-beta")]


def test_failed_preview_without_violations_keeps_its_errors():
    report = parse_preview("preprod", FAILED, 255)
    assert report.verdict == "failed" and "stagecraft:backend.image: Field required" in report.errors


def test_advisory_violation_does_not_fail_the_verdict():
    report = parse_preview("production", ADVISORY, 0)
    assert report.verdict == "passes" and [v.policy for v in report.advisory] == ["production-approval-notice"]


def test_rendered_comment_starts_with_the_marker_and_has_one_row_per_stack():
    body = render([parse_preview("uat", PASSING, 0), parse_preview("beta", REFUSED, 255)], 12, "a" * 40)
    assert body.startswith(MARKER + "\n## stagecraft PR check for #12 at `aaaaaaaaaaaa`")
    assert "| `uat` | ✅ passes | 1 to create, 1 to update, 4 unchanged | no violations |" in body
    assert "| `beta` | ⛔ refused by policy | — | 2 mandatory |" in body
    assert "instance_type is 'nano', a paid Koyeb option" in body


def test_rendered_comment_stays_within_githubs_size_limit():
    huge = PASSING + ("x" * 200 + "\n") * 2000
    body = render([parse_preview(f"s{i}", huge, 0) for i in range(6)], 1)
    assert len(body) <= MAX_BODY and "(earlier lines left out)" in body


def test_no_affected_stack_says_so():
    assert "No stack is affected by this change" in render([], 3)


@pytest.fixture
def github(monkeypatch):
    emu = GitHubEmulator(conformance=ConformanceRegistry())
    emu.add_pull(REPO, 12)
    with emu.serve() as base_url:
        monkeypatch.setenv("GITHUB_API_URL", base_url)
        monkeypatch.setenv("GITHUB_TOKEN", "job-token")
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("STAGECRAFT_HTTP_BACKOFF_SCALE", "0")
        yield emu


def _results(tmp_path, **outputs):
    folder = tmp_path / "results"
    folder.mkdir(exist_ok=True)
    for stack, (text, status) in outputs.items():
        (folder / f"{stack}.txt").write_text(text)
        (folder / f"{stack}.exit").write_text(f"{status}\n")
    return folder


def _writes(emu):
    return [(r.method, r.status) for r in emu.requests if r.method in ("POST", "PATCH")]


def test_first_run_posts_the_comment_and_the_next_edits_it(github, tmp_path, capsys):
    assert main(["pr-summary", "--pr", "12", "--results", str(_results(tmp_path, uat=(PASSING, 0)))]) == 0
    assert main(["pr-summary", "--pr", "12", "--results", str(_results(tmp_path, beta=(REFUSED, 255)))]) == 1
    comments = github.objects("comments")
    assert len(comments) == 1 and "`beta`" in comments[0]["body"] and "`uat`" in comments[0]["body"]
    assert _writes(github) == [("POST", 201), ("PATCH", 200)]
    assert "comment created" in capsys.readouterr().out


def test_unchanged_summary_writes_nothing(github, tmp_path):
    folder = _results(tmp_path, uat=(PASSING, 0))
    main(["pr-summary", "--pr", "12", "--results", str(folder)])
    main(["pr-summary", "--pr", "12", "--results", str(folder)])
    assert _writes(github) == [("POST", 201)]


def test_the_marked_comment_is_found_past_the_first_page(github, tmp_path):
    settings = GitHubSettings.from_env()
    with GitHubClient(settings) as client:
        for index in range(101):
            github.add_comment(REPO, 12, f"review {index}")
        assert upsert(client, 12, MARKER + "\nfirst\n") == "created"
        assert upsert(client, 12, MARKER + "\nsecond\n") == "updated"
    marked = [c for c in github.objects("comments") if c["body"].startswith(MARKER)]
    assert [c["body"] for c in marked] == [MARKER + "\nsecond\n"]
    assert [r.status for r in github.requests if r.method == "GET"] == [200] * 4  # two pages, twice


def test_secondary_rate_limit_is_waited_out_and_the_comment_posted_once(github, tmp_path):
    github.trip_secondary_limit(status=403, retry_after=1)
    assert main(["pr-summary", "--pr", "12", "--results", str(_results(tmp_path, uat=(PASSING, 0)))]) == 0
    assert len(github.objects("comments")) == 1


def test_missing_token_is_a_one_line_error(github, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["pr-summary", "--pr", "12", "--results", str(_results(tmp_path, uat=(PASSING, 0)))]) == 2
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err


def test_missing_exit_status_file_names_the_fix(tmp_path, capsys):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "uat.txt").write_text(PASSING)
    assert main(["pr-summary", "--pr", "1", "--results", str(folder), "--print"]) == 2
    assert "uat.exit: missing or not an exit status" in capsys.readouterr().err


def test_print_only_posts_nothing(tmp_path):
    out = io.StringIO()
    from tools.delivery import pr_summary

    args = type("Args", (), {"pr": 1, "results": _results(tmp_path, uat=(PASSING, 0)), "sha": "",
                             "print_only": True, "repository": None})()
    assert pr_summary.run(args, out) == 0 and out.getvalue().startswith(MARKER)
