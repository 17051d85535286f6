"""Identifiers shared by the Neon resource modules: id patterns and composite Pulumi ids."""

from __future__ import annotations

from typing import Any, Mapping

from .._http import InputReader, ProviderError

ID_PATTERN = r"[a-z0-9-]{1,60}"
ID_HINT = "Neon ids are 1-60 characters of a-z, 0-9 and -"


def read_project_and_branch(reader: InputReader) -> dict[str, Any]:
    """Validate the ``project_id`` and ``branch_id`` inputs every branch-scoped resource has."""
    return {
        "project_id": reader.string("project_id", example="project.id", pattern=ID_PATTERN, pattern_hint=ID_HINT),
        "branch_id": reader.string("branch_id", example="branch.id", pattern=ID_PATTERN, pattern_hint=ID_HINT),
    }


def composite_id(project_id: str, branch_id: str, name: str) -> str:
    """Pulumi id of a role or database: Neon addresses them by name within a branch."""
    return f"{project_id}/{branch_id}/{name}"


def split_id(id_: str, props: Mapping[str, Any], kind: str) -> tuple[str, str, str]:
    """(project_id, branch_id, name) from a composite id (``pulumi import`` passes only the id)."""
    parts = id_.split("/", 2)
    if len(parts) == 3 and all(parts):
        return parts[0], parts[1], parts[2]
    if props.get("project_id") and props.get("branch_id") and props.get("name"):
        return props["project_id"], props["branch_id"], props["name"]
    raise ProviderError(f"Neon {kind}: id {id_!r} is not <project_id>/<branch_id>/<name>; import it with that form")


def project_of(props: Mapping[str, Any], kind: str) -> str:
    """The ``project_id`` a branch or endpoint lives in, from its state."""
    project_id = props.get("project_id")
    if not project_id:
        raise ProviderError(
            f"Neon {kind}: the state holds no project_id, so the {kind.lower()} cannot be looked up; declare the "
            f"resource in the program (with project_id) instead of importing it bare"
        )
    return str(project_id)
