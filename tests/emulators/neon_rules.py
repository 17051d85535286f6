"""Neon's platform rules beyond its spec's schema: plan refusals and the life of operations, each with its source.

Plans (the emulated account is on the Free plan unless `NeonEmulator(plan=...)` says otherwise):
- On Free, a request that carries `suspend_timeout_seconds` at all (even `0`) is refused with
  "suspend interval changing is not allowed for your account": neondatabase/create-branch-action#31 (2023-08,
  the message a free-plan user got); neondatabase/neonctl commit 4187f97 "fix: default suspend timeout
  passing" stopped sending the default `0` because of it. The HTTP status is not shown there (UNCONFIRMED);
  the emulator answers 400, the status Neon uses for requests it will not carry out as asked.
- On Free, an endpoint reports `suspend_timeout_seconds: 0` ("use the default", i.e. 300 s): neondatabase/neon#4915
  (a free project created with 30 reads back 0).
- On Free, autoscaling stops at 2 CU (shared/reference/platform-apis.md §9, neondatabase/website `plans.md`);
  the wording of the refusal is UNCONFIRMED.

Schema-only branches (neon.openapi.json BranchCreateRequest.init_source; neondatabase/website
content/docs/guides/branching-schema-only.md, 2025-01-10):
- `init_source: schema-only` needs `parent_id` (the branch whose schema is copied; "Required values include ... the
  parent_id") and makes a new root branch: it reports no parent ("they do not establish a parent-child
  relationship"), holds the parent's roles and databases but none of its data.
- Root branches per project are limited by plan (Free 3, Launch 5, Scale 10, Business 25), the project's own root
  branch included. How Neon refuses one more is not documented there: the emulator answers 422 (UNCONFIRMED).

Operations (neon.com/docs/reference/api/operations, neon.com/docs/manage/operations):
- Statuses `scheduling`, `running`, `finished`, `failed`, `cancelling`, `cancelled`, `skipped`; terminal ones
  are `finished`, `skipped` and `cancelled`. "A failed operation is not terminal and may be retried": Neon
  retries it itself, counting `failures_count` and stamping `retry_at` (Operation schema), until it finishes.
- "Requests that conflict with a running operation return 423 Locked": the GeneralError response of the spec
  says a 423 is always safe to retry; the message is "project already has running operations, scheduling of new
  ones is prohibited" (community.neon.tech topic 242; neonctl `src/api.ts` `retryOnLock` retries exactly 423).
  A project is locked while any of its operations is not terminal.
- Some operations are started by Neon itself (`check_availability`, `suspend_compute` of an idle compute).
"""

from __future__ import annotations

from typing import Any, Mapping

PLANS = ("free", "launch", "scale", "business")
FREE_PLAN = "free"
FREE_MAX_CU = 2
SUSPEND_REFUSED = "suspend interval changing is not allowed for your account"
LOCKED = "project already has running operations, scheduling of new ones is prohibited"
OPEN_STATUSES = frozenset({"scheduling", "running", "failed", "cancelling"})
RETRIED_ERROR = "compute node failed to start; the operation will be retried"
SCHEMA_ONLY = "schema-only"
INIT_SOURCES = (SCHEMA_ONLY, "parent-data")
ROOT_BRANCHES = {"free": 3, "launch": 5, "scale": 10, "business": 25}
"""Root branches a project may hold per plan (branching-schema-only.md, "Schema-only branch allowances")."""


def plan_refusal(plan: str, settings: Mapping[str, Any]) -> str | None:
    """Why the plan refuses these endpoint settings (a create or update body), or None."""
    if plan != FREE_PLAN:
        return None
    if "suspend_timeout_seconds" in settings:
        return SUSPEND_REFUSED
    for key in ("autoscaling_limit_min_cu", "autoscaling_limit_max_cu"):
        value = settings.get(key)
        if value is not None and value > FREE_MAX_CU:
            return f"{key} above {FREE_MAX_CU} compute units is not available on the Free plan"
    return None


def as_the_plan_reports(plan: str, endpoint: dict[str, Any]) -> dict[str, Any]:
    """An endpoint body as the plan shows it: Free always reads back the default suspend timeout (0)."""
    if plan == FREE_PLAN:
        endpoint["suspend_timeout_seconds"] = 0
    return endpoint


def is_open(op: Mapping[str, Any]) -> bool:
    """Whether an operation still holds its project's lock."""
    return op["status"] in OPEN_STATUSES
