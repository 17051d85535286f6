"""Which Supabase resources this stack made, and the errors when a name it wants is someone else's (DESIGN §5).

- A **project** stores no labels (`V1ProjectResponse`), and its name is not unique, but it holds a database: every
  project this stack makes gets a schema `stagecraft` whose comment is ``owner=<project>/<stack>`` as soon as it is
  up. A same-named project in the organization is adopted only when it carries that comment, or when this very
  create call made it; otherwise `up` stops rather than make a second project of that name.
- A **bucket** stores no free-form field either; one that exists with our id is adopted only when this very create
  call made it.
"""

from __future__ import annotations

from .._http import Claim
from .client import API

MARKER_SCHEMA = "stagecraft"
OWNER_PATTERN = r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
OWNER_HINT = 'must be "<project>/<stack>", e.g. "stagecraft/beta"'


def marker_sql(owner: str) -> str:
    """SQL that marks a project's database as this stack's."""
    return (f"create schema if not exists {MARKER_SCHEMA}; "
            f"comment on schema {MARKER_SCHEMA} is 'owner={owner}';")


MARKER_QUERY = (f"select obj_description(oid, 'pg_namespace') as comment from pg_namespace "
                f"where nspname = '{MARKER_SCHEMA}'")
"""SQL that reads the marker back (no row, or a NULL comment, when there is none)."""


def owner_from_rows(rows: list[dict]) -> str | None:
    """The owner named by the marker query's rows, or None."""
    comment = str((rows[0] if rows else {}).get("comment") or "")
    return comment.removeprefix("owner=") if comment.startswith("owner=") else None


def project_claim(name: str, owner: str) -> Claim:
    """What a project create is about, with the way out when the name is taken in the organization."""
    return Claim(
        api=API, kind="project", name=name, owner=owner,
        resolve=("If it is a project an interrupted run of this stack made, or one nobody uses, delete it in the "
                 "Supabase dashboard (Project Settings > General > Delete project); otherwise give this stack "
                 "another project or stack name."),
    )


def bucket_claim(name: str, owner: str) -> Claim:
    """What a bucket create is about, with the way out when the id is taken in the project."""
    return Claim(
        api=API, kind="Storage bucket", name=name, owner=owner,
        resolve=("Supabase stores nothing on a bucket that could show which stack made it. If nothing uses it, "
                 "empty and delete it in the Supabase dashboard (Storage) and pulumi up creates it again; otherwise "
                 "choose another bucket name (stagecraft:storage.bucket)."),
    )
