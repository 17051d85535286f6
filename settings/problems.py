"""Problems that stop a stack before anything is registered, and the one message that lists them (DESIGN §3).

A problem names the full key (`stagecraft:backend.image`, `cloudflare:apiToken`, or an environment variable), what
is wrong with it, and a fix: a command that works when pasted wherever one exists (see `settings.fixes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing that keeps the stack from deploying."""

    key: str
    """The full key the fix changes: `stagecraft:backend.image`, `cloudflare:apiToken`, `KOYEB_TOKEN`, ..."""
    reason: str
    """What is wrong, and what is allowed."""
    fix: str | None = None
    """A command that works when pasted (placeholders are quoted `'<...>'`), or what to do where no command can."""


class ConfigError(ValueError):
    """Stack configuration that cannot be deployed; the message names every key and its fix.

    `problems` holds the same, one `Problem` per key; `partial` (when set) is what validated of the settings, so the
    checks that need only those parts can still run and report in the same message."""

    def __init__(self, message: str, problems: Sequence[Problem] = (), partial: object | None = None) -> None:
        super().__init__(message)
        self.problems = unique(problems) or [Problem(key="", reason=message)]
        self.partial = partial


_INDEX = re.compile(r"\[(\d+)\]")
STACK_NAME_KEY = "stack name"
"""How a problem names the stack's own name (changed with `pulumi stack rename`, not with config)."""


def _order(problem: Problem) -> tuple:
    # Later list items first: removing `exclude[2]` before `exclude[0]` keeps each printed index right when the fixes
    # are run one after the other; a stack rename last, since every other fix names the stack as it is.
    parts = re.split(r"(\[\d+\])", problem.key)
    renames = problem.key.startswith(STACK_NAME_KEY)
    return (renames, *((1, -int(p[1:-1])) if _INDEX.fullmatch(p) else (0, p) for p in parts if p))


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Problems without repeats, in the order the fixes can be run one after the other."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in problems:
        if (problem.key, problem.reason) not in seen:
            seen.add((problem.key, problem.reason))
            kept.append(problem)
    return sorted(kept, key=_order)


def render(stack: str, problems: Iterable[Problem]) -> str:
    """The one message listing every problem of `stack`, each with its key and its fix."""
    listed = unique(problems)
    count = f"{len(listed)} problem" + ("s" if len(listed) != 1 else "")
    lines = [f"stack {stack!r} cannot be deployed as configured ({count}, each with its fix). Nothing was changed."]
    for problem in listed:
        head = f"{problem.key}: {problem.reason}" if problem.key else problem.reason
        lines.append("  - " + head.replace("\n", "\n    "))
        if problem.fix:
            lines.append(f"    fix: {problem.fix}")
    return "\n".join(lines)


_LEADING_KEY = re.compile(r"^((?:stagecraft|[a-z]+):[A-Za-z0-9_.\[\]]+):? ")


def text_problem(text: str | None) -> Problem | None:
    """A problem some check words as one text (`<key>: <what>. Fix: <command>. Nothing was changed.`)."""
    if not text:
        return None
    text = text.replace(" Nothing was changed.", "").strip()
    reason, _, fix = text.partition(" Fix: ")
    match = _LEADING_KEY.match(reason)
    key = match.group(1) if match else ""
    return Problem(key, reason[match.end():] if match else reason, fix.rstrip(".").strip() or None)
