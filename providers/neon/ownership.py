"""Which Neon resources this stack made, and the error when a name it wants belongs to someone else (DESIGN §5).

What Neon can store as a marker (neon.openapi.json): a **branch** takes an ``annotation_value`` on create
(``AnnotationCreateValueRequest``, string values) and returns it from ``GET .../branches/{id}`` (``annotation``)
and from the branch list (``annotations``, keyed by branch id). Endpoints, roles and databases have no free-form
field. So:

- a branch is ours when its annotation carries ``stagecraft-owner=<project>/<stack>``;
- a compute endpoint, role or database is ours when the branch it lives on is ours: this stack made that branch
  and only this stack works on it (a new branch inherits its parent's roles and databases, which are then the
  branch's own copies);
- anything is ours when this very create call made it (creation time after our dropped attempt,
  ``providers/_http/converge.py``).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._http import Claim, InputReader, NotFound
from .client import API, NeonClient

OWNER_KEY = "stagecraft-owner"
"""Annotation key on every branch this stack creates: the stack that owns the branch."""
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/uat"'


def read_owner(reader: InputReader) -> Any:
    """Validate the ``owner`` input every Neon resource has."""
    return reader.string("owner", example='"stagecraft/uat"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT)


def owner_annotation(owner: str) -> dict[str, str]:
    """The ``annotation_value`` a branch of ``owner`` is created with."""
    return {OWNER_KEY: owner}


def annotated_owner(annotation: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The owner an annotation value names, or None."""
    value = (annotation or {}).get(OWNER_KEY)
    return str(value) if value else None


def branch_is_ours(neon: NeonClient, project_id: str, branch_id: str, owner: str) -> bool:
    """Whether the branch carries this stack's marker (a gone branch is nobody's)."""
    try:
        _, annotation = neon.get_branch_annotated(project_id, branch_id)
    except NotFound:
        return False
    return annotated_owner(annotation) == owner


def branch_claim(project_id: str, name: str, owner: str) -> Claim:
    """What a branch create is about, with the way out when the name is taken in the project."""
    return Claim(
        api=API, kind="branch", name=name, owner=owner,
        resolve=(f"If nothing uses that branch, delete it in the Neon console (project {project_id}, Branches) or "
                 f"with `neon branches delete {name} --project-id {project_id}`; otherwise give this stack another "
                 "stack name, or point stagecraft:postgres.neon.projectName at another project."),
    )


def on_branch_claim(kind: str, name: str, branch_id: str, owner: str) -> Claim:
    """What a create on a branch (compute endpoint, role, database) is about, when the branch is not ours."""
    return Claim(
        api=API, kind=f"{kind} on branch {branch_id}", name=name, owner=owner,
        resolve=(f"The branch {branch_id} does not carry this stack's marker ({OWNER_KEY}={owner}), so nothing on "
                 "it is taken over. Point the stack at its own branch (let stagecraft create it), or delete the "
                 f"{kind} in the Neon console."),
    )
