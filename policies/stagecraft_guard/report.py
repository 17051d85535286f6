"""The shape of every violation message: what, which limit, from where, and how to fix it."""

from __future__ import annotations

from typing import Optional


def subject(name: str, type_token: str) -> str:
    """How a message names a resource: its Pulumi name and exact type token."""
    return f"{name} ({type_token})"


def message(what: str, *, limit: Optional[str] = None, source: Optional[str] = None, fix: str) -> str:
    """A violation message: one line of what is wrong, then the limit, its source and the fix.

    ``what`` must already name the resource (see :func:`subject`). Values of secrets never go in here.
    """
    lines = [what]
    if limit:
        lines.append(f"  limit: {limit}")
    if source:
        lines.append(f"  source: {source}")
    lines.append(f"  fix: {fix}")
    return "\n".join(lines)
