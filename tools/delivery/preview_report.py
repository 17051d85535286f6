"""What one `pulumi preview --policy-pack policies` said, read from its text output.

The PR workflow saves, per affected stack, the preview's standard output (`--non-interactive --color=never`) as
`<stack>.txt` and its exit status as `<stack>.exit`. Text, not `--json`: the 3.79 engine drops policy violations from
the JSON digest (`pkg/backend/display/json.go`, `ShowPreviewDigest`: "we don't handle policy events in JSON
serialization"), and the policy verdict is what the PR check is for. The text sections read here are the engine's
own headings: `Diagnostics:`, `Policy Violations:` (one block per violation, starting with
`[mandatory|advisory]  <pack> v<version>  <policy> (<type>: <name>)`) and `Resources:` (`+ 6 to create`, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from tools.ops.errors import OperationsError

_SECTION = re.compile(r"^(Diagnostics|Policy Violations|Resources|Outputs|Policy Packs run|Duration):")
_VIOLATION = re.compile(r"^\s+\[(mandatory|advisory|disabled)\]\s+(\S+) v(\S+)\s+(\S+) \((.*)\)\s*$")
_CHANGE = re.compile(r"^\s+(?:\+-|[+~-])?\s*(\d+) (to create|to update|to delete|to replace|unchanged)\s*$")
_ERROR = re.compile(r"^\s+error: (.*)$")


@dataclass(frozen=True)
class Violation:
    """One policy violation: level, policy, the resource it is about, and its message lines."""

    level: str
    policy: str
    subject: str
    lines: Tuple[str, ...]


@dataclass(frozen=True)
class PreviewReport:
    """One stack's preview, as the summary needs it."""

    stack: str
    exit_status: int
    changes: Dict[str, int] = field(default_factory=dict)
    violations: Tuple[Violation, ...] = ()
    errors: Tuple[str, ...] = ()
    output: str = ""

    @property
    def mandatory(self) -> List[Violation]:
        """Violations that block the change."""
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> List[Violation]:
        """Violations that only inform."""
        return [v for v in self.violations if v.level == "advisory"]

    @property
    def verdict(self) -> str:
        """`passes`, `refused` (a mandatory policy said no) or `failed` (the preview itself failed)."""
        if self.exit_status == 0:
            return "passes"
        return "refused" if self.mandatory else "failed"


def parse_preview(stack: str, output: str, exit_status: int) -> PreviewReport:
    """Read one preview's text output."""
    sections: Dict[str, List[str]] = {}
    current = ""
    for line in output.splitlines():
        heading = _SECTION.match(line)
        if heading:
            current = heading.group(1)
            sections.setdefault(current, [])
            continue
        if current and line and not line[0].isspace():
            current = ""
        if current:
            sections[current].append(line)
    changes = {}
    for line in sections.get("Resources", []):
        found = _CHANGE.match(line)
        if found:
            changes[found.group(2).replace("to ", "")] = int(found.group(1))
    errors = tuple(m.group(1).strip() for m in map(_ERROR.match, sections.get("Diagnostics", [])) if m)
    return PreviewReport(stack=stack, exit_status=exit_status, changes=changes,
                         violations=tuple(_violations(sections.get("Policy Violations", []))), errors=errors,
                         output=output)


def _violations(lines: List[str]) -> List[Violation]:
    blocks: List[Tuple[re.Match, List[str]]] = []
    for line in lines:
        match = _VIOLATION.match(line)
        if match:
            blocks.append((match, []))
        elif blocks and line.strip():
            blocks[-1][1].append(line[4:] if line.startswith("    ") else line.strip())
    return [Violation(head.group(1), head.group(4), head.group(5), tuple(body)) for head, body in blocks]


def read_results(folder: Path) -> List[PreviewReport]:
    """Every `<stack>.txt` + `<stack>.exit` pair in `folder`, by stack name."""
    if not folder.is_dir():
        raise OperationsError(f"--results {folder}: not a folder; the PR workflow writes <stack>.txt and "
                              "<stack>.exit there")
    reports = []
    for text in sorted(folder.glob("*.txt")):
        status_file = text.with_suffix(".exit")
        try:
            status = int(status_file.read_text().strip())
        except (OSError, ValueError):
            raise OperationsError(f"{status_file}: missing or not an exit status; write it with "
                                  f"`echo $? > {status_file.name}` right after the preview") from None
        reports.append(parse_preview(text.stem, text.read_text(errors="replace"), status))
    return reports
