"""Settings of the platforms the `preprod` stack runs on by default (Vercel, Railway) and of Expo EAS channels.

Every value a platform would refuse is refused here, at config time, naming the key (DESIGN §3): Vercel project
names (the pinned provider's own rule), Railway workspace ids, plans, regions and replica counts, the Expo project
id (a UUID). Rules that span keys (a project name made of a prefix and an app name, replicas within the plan) are
in `settings.preprod_platform_rules`, located at the key that fixes them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from providers.railway.catalog import REGIONS as RAILWAY_REGIONS

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL

VERCEL_PROJECT_NAME_MAX = 52
"""terraform-provider-vercel v2.8.0 (what pulumiverse-vercel 1.15.0 bridges), `vercel/resource_project.go`:
a project name is 1-52 characters of `[a-z0-9-]`; the plugin refuses anything else at preview."""
VERCEL_PROJECT_NAME = re.compile(r"^[a-z0-9-]+$")
VERCEL_TRIPLE_DASH = "---"
"""Vercel's API refuses project names containing `---` (its project-name rule on vercel.com/docs)."""
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
RAILWAY_PLAN_MAX_REPLICAS = {"free": 1, "trial": 1}
"""Free and Trial allow one replica per service (platform-apis.md §3 "Free tier"). The paid plans' ceilings are
not in the reference; for them the provider's own range (1-50) applies."""
RAILWAY_MAX_REPLICAS = 50
MOBILE_CHANNEL = r"^[a-z0-9][a-z0-9._-]{0,62}$"


class _Settings(BaseModel):
    model_config = _MODEL


def vercel_project_name_problem(name: str) -> str | None:
    """Why Vercel (or the pinned provider) would refuse ``name`` as a project name, or None."""
    if not 1 <= len(name) <= VERCEL_PROJECT_NAME_MAX or not VERCEL_PROJECT_NAME.match(name):
        return (f"{name!r} ({len(name)} characters) is not a Vercel project name: 1-{VERCEL_PROJECT_NAME_MAX} "
                "lower-case letters, digits and dashes")
    if VERCEL_TRIPLE_DASH in name:
        return f"{name!r} is not a Vercel project name: Vercel refuses names containing {VERCEL_TRIPLE_DASH!r}"
    return None


class VercelSettings(_Settings):
    """Vercel team and project names (Hobby: non-commercial use; 100 deployments a day)."""

    team: str | None = Field(default=None, pattern=r"^(team_[A-Za-z0-9]+|[a-z0-9][a-z0-9-]*)$",
                             description="Team the projects are made in: its id (team_...) or slug; default: the "
                                         "token's own account.")
    project_name_prefix: str | None = Field(
        default=None, pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        description="Projects are named `<prefix>-<app>` (default prefix `<project>-<stack>`); at most "
                    f"{VERCEL_PROJECT_NAME_MAX} characters in all.")

    def project_name(self, default_prefix: str, app: str) -> str:
        """The Vercel project of an app."""
        return f"{self.project_name_prefix or default_prefix}-{app}"


class RailwaySettings(_Settings):
    """The Railway workspace the stack's project is made in (Free: $1 of usage a month, 100 API requests/hour)."""

    workspace_id: str | None = Field(default=None, pattern=UUID_PATTERN,
                                     description="Workspace id (a UUID; Railway dashboard > workspace settings); "
                                                 "default: the token's own workspace.")
    plan: Literal["free", "trial", "hobby", "pro"] = Field(
        default="free", description="The workspace's plan (Railway sets plans per workspace): replica limits follow "
                                    "it and the policy pack prices it.")


class RailwayServiceSettings(_Settings):
    """The backend's Railway service: where and how many."""

    region: str | None = Field(default=None, description=f"Region id: one of {', '.join(RAILWAY_REGIONS)}; "
                                                         "unset: the workspace's default region.")
    num_replicas: int = Field(default=1, ge=1, le=RAILWAY_MAX_REPLICAS,
                              description="Replicas of the backend (Free and Trial plans: 1).")
    health_check_timeout: int = Field(default=120, ge=1, le=3600,
                                      description="Seconds Railway waits for /api/health before it gives up on a "
                                                  "new deployment (the previous one keeps serving).")

    @field_validator("region")
    @classmethod
    def _a_railway_region(cls, value: str | None) -> str | None:
        if value is not None and value not in RAILWAY_REGIONS:
            raise PydanticCustomError("value_error", "'{value}' is not a Railway region; use one of {allowed}",
                                      {"value": value, "allowed": ", ".join(RAILWAY_REGIONS),
                                       "fix_value": RAILWAY_REGIONS[0]})
        return value


class MobileSettings(_Settings):
    """The mobile app's Expo EAS channel for this stack (its builds read the stack's API through it)."""

    platform: Literal["eas"] = Field(default="eas", description="Where the mobile app's updates are served.")
    project_id: str = Field(description="EAS project id of the mobile app: `extra.eas.projectId` in its app config "
                                        "(`eas project:info` prints it), a UUID.")
    channel: str | None = Field(default=None, pattern=MOBILE_CHANNEL,
                                description="Channel and branch name; default: the stack name.")

    @field_validator("project_id")
    @classmethod
    def _a_uuid(cls, value: str) -> str:
        if not re.match(UUID_PATTERN, value):
            raise PydanticCustomError(
                "value_error", "'{value}' is not an EAS project id: a lower-case UUID such as "
                "0f4c3a2e-5b1d-4e6f-9a7b-8c9d0e1f2a3b: `expo.extra.eas.projectId` in the mobile app's app.json (also shown "
                "by `eas project:info`); the fix reads it when run in the mobile app's folder",
                {"value": value, "fix_value": "\"$(jq -r .expo.extra.eas.projectId app.json)\""})
        return value
