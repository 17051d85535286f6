"""`stagecraft pr-summary`: one readable comment on the pull request with every affected stack's preview and
policy verdict, posted once and then edited in place.

The comment is found again by a hidden marker (an HTML comment GitHub does not display) at the top of its body:
`GET /repos/{owner}/{repo}/issues/{n}/comments` (all pages), then `PATCH .../issues/comments/{id}` when it exists
and its text changed, or `POST .../issues/{n}/comments` (201) the first time (platform-apis.md §10, "Pull requests
and their summary comment"). A pull request's comments are its issue's comments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence

from tools.ops.command import Command
from tools.ops.errors import OperationsError

from .github_api import GitHubClient, GitHubSettings
from .preview_report import PreviewReport, Violation, read_results

MARKER = "<!-- stagecraft:pr-summary -->"
MAX_BODY = 65536
"""GitHub refuses a comment body longer than this (422 "body is too long")."""
_OUTPUT_SHARE = 12000
_ICONS = {"passes": "✅", "refused": "⛔", "failed": "💥"}
_WORDS = {"passes": "passes", "refused": "refused by policy", "failed": "preview failed"}


def render(reports: Sequence[PreviewReport], pull: int, sha: str = "") -> str:
    """The comment's Markdown (starting with the marker), at most MAX_BODY characters."""
    at = f" at `{sha[:12]}`" if sha else ""
    lines = [MARKER, f"## stagecraft PR check for #{pull}{at}", ""]
    if not reports:
        lines.append("No stack is affected by this change: nothing was previewed.")
        return "\n".join(lines) + "\n"
    lines += ["| stack | verdict | changes | policy |", "|---|---|---|---|"]
    for report in reports:
        lines.append(f"| `{report.stack}` | {_ICONS[report.verdict]} {_WORDS[report.verdict]} | "
                     f"{_changes(report)} | {_policy(report)} |")
    share = max(1000, min(_OUTPUT_SHARE, (MAX_BODY - 4000) // len(reports)))
    for report in reports:
        lines += ["", f"### `{report.stack}`: {_WORDS[report.verdict]}"]
        lines += _violation_lines(report.mandatory + report.advisory)
        if report.verdict == "failed" and report.errors:
            lines += ["", "Errors:", *[f"- `{e}`" for e in report.errors]]
        lines += ["", "<details><summary>preview output</summary>", "", "```text", _tail(report.output, share),
                  "```", "</details>"]
    body = "\n".join(lines) + "\n"
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - 40] + "\n\n(cut at GitHub's size limit)\n"


def _changes(report: PreviewReport) -> str:
    if report.verdict != "passes" and not report.changes:
        return "—"
    shown = [f"{count} to {kind}" if kind != "unchanged" else f"{count} unchanged"
             for kind, count in report.changes.items() if count]
    return ", ".join(shown) or "no changes"


def _policy(report: PreviewReport) -> str:
    if not report.violations:
        return "no violations"
    parts = []
    if report.mandatory:
        parts.append(f"{len(report.mandatory)} mandatory")
    if report.advisory:
        parts.append(f"{len(report.advisory)} advisory")
    return ", ".join(parts)


def _violation_lines(violations: List[Violation]) -> List[str]:
    lines: List[str] = []
    for violation in violations:
        lines += ["", f"**{violation.level}** `{violation.policy}` on `{violation.subject}`", "", "```text",
                  *violation.lines, "```"]
    return lines


def _tail(text: str, limit: int) -> str:
    text = text.replace("```", "'''").strip()
    return text if len(text) <= limit else "(earlier lines left out)\n" + text[-limit:]


def upsert(client: GitHubClient, pull: int, body: str) -> str:
    """Edit the marked comment, or post it; returns `created`, `updated` or `unchanged`."""
    for comment in client.paginate(client.repo_path(f"issues/{pull}/comments")):
        if str(comment.get("body") or "").startswith(MARKER):
            if comment.get("body") == body:
                return "unchanged"
            client.request("PATCH", client.repo_path(f"issues/comments/{comment['id']}"), json={"body": body})
            return "updated"
    client.request("POST", client.repo_path(f"issues/{pull}/comments"), json={"body": body})
    return "created"


def configure(parser: argparse.ArgumentParser) -> None:
    """The arguments of `stagecraft pr-summary`."""
    parser.add_argument("--pr", type=int, required=True, help="pull request number")
    parser.add_argument("--results", type=Path, required=True,
                        help="folder with <stack>.txt (preview output) and <stack>.exit (its exit status)")
    parser.add_argument("--repository", help="owner/name (default: GITHUB_REPOSITORY)")
    parser.add_argument("--sha", default="", help="the commit previewed (shown in the heading)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the comment instead of posting it")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """Render the comment and post or update it; exit 1 when a stack is refused or failed (the check fails)."""
    stream = out or sys.stdout
    if args.pr < 1:
        raise OperationsError(f"--pr must be a pull request number (got {args.pr})")
    reports = read_results(args.results)
    body = render(reports, args.pr, args.sha)
    if args.print_only:
        stream.write(body)
    else:
        with GitHubClient(GitHubSettings.from_env(args.repository)) as client:
            outcome = upsert(client, args.pr, body)
        stream.write(f"pr-summary: comment {outcome} on #{args.pr} ({len(reports)} stack(s))\n")
    return 0 if all(r.verdict == "passes" for r in reports) else 1


COMMAND = Command(name="pr-summary", help="post or update the PR's preview and policy summary comment",
                  configure=configure, run=run)
