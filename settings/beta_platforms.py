"""Settings of the platforms the `beta` stack runs on by default: Netlify, Render and Supabase.

Every value a platform would refuse is refused here, at config time, naming the key (DESIGN §3): Netlify site
names (DNS labels, unique across Netlify), Render ids, regions and plans (the API makes no free web service),
Supabase organization slugs, regions and plans. Whether a Render service id exists and is a web service needs the
API: `settings.preflight` asks it before anything is registered.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from providers.render.catalog import KEY_VALUE_PLANS, MAXMEMORY_POLICIES, PAID_PLANS, REGIONS as RENDER_REGIONS
from providers.supabase.catalog import REGIONS as SUPABASE_REGIONS

from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
SITE_NAME_MAX = 63
"""A Netlify site name is the `<name>.netlify.app` label: at most 63 characters (RFC 1035)."""


class _Settings(BaseModel):
    model_config = _MODEL


def _one_of(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{value!r} is not a {what}; use one of {', '.join(allowed)}")
    return value


class NetlifySettings(_Settings):
    """Netlify team and site names (free plan: 300 credits a month; API deploys: 3 a minute, 100 a day)."""

    team: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$",
                             description="Team slug the sites are made in (app.netlify.com/teams/<slug>); default: "
                                         "the token owner's team.")
    plan: Literal["free", "starter", "pro", "business", "enterprise"] = Field(
        default="free", description="The team's plan (Netlify plans belong to the account); the policy pack prices it.")
    site_name_prefix: str | None = Field(
        default=None, pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", max_length=50,
        description="Sites are named `<prefix>-<app>` (default prefix `<project>-<stack>`). Netlify site names are "
                    "unique across all of Netlify: choose another prefix when one is taken.")

    def site_name(self, default_prefix: str, app: str) -> str:
        """The site name of an app."""
        return f"{self.site_name_prefix or default_prefix}-{app}"


class RenderSettings(_Settings):
    """Render workspace and region, shared by the backend and the Key Value cache."""

    owner_id: str = Field(pattern=r"^(tea|usr)-[a-z0-9]{20}$",
                          description="Workspace id (tea-... or usr-...; Render dashboard > Workspace settings, or "
                                      "GET /v1/owners).")
    region: str = Field(default="oregon", description=f"Render region: one of {', '.join(RENDER_REGIONS)}. The "
                                                      f"dashboard-made service must be there too.")

    @field_validator("region")
    @classmethod
    def _a_render_region(cls, value: str) -> str:
        return _one_of(value, RENDER_REGIONS, "Render region") or value


class RenderServiceSettings(_Settings):
    """The backend's Render web service: the free one made in the dashboard, or a paid one made by stagecraft."""

    service_id: str | None = Field(
        default=None, pattern=r"^srv-[a-z0-9]{20}$",
        description="The free web service made in the Render dashboard (New > Web Service > Existing image), by its "
                    "id srv-... from its dashboard URL. Render's API does not create free web services.")
    plan: str = Field(default="free", description=f"The service's plan: the dashboard-made service's own (free), or, "
                                                  f"without serviceId, a paid plan for a service stagecraft creates "
                                                  f"({', '.join(PAID_PLANS)}); the policy pack prices it.")

    @field_validator("plan")
    @classmethod
    def _a_render_plan(cls, value: str) -> str:
        return _one_of(value, ("free", *PAID_PLANS), "Render web service plan") or value

    @model_validator(mode="after")
    def _one_way_to_get_the_service(self) -> RenderServiceSettings:
        if self.service_id is None and self.plan == "free":
            raise ValueError("set serviceId to the free web service made in the Render dashboard (Render's API "
                             f"creates no free web service), or set plan to a paid one ({', '.join(PAID_PLANS)}) "
                             "for stagecraft to create")
        return self


class RenderKeyValueSettings(_Settings):
    """The Render Key Value instance (free: one per workspace, in memory only)."""

    plan: str = Field(default="free", description=f"One of {', '.join(KEY_VALUE_PLANS)}.")
    maxmemory_policy: str = Field(default="allkeys_lru", description=f"Eviction when memory is full: one of "
                                                                     f"{', '.join(MAXMEMORY_POLICIES)}.")

    @field_validator("plan")
    @classmethod
    def _a_key_value_plan(cls, value: str) -> str:
        return _one_of(value, KEY_VALUE_PLANS, "Render Key Value plan") or value

    @field_validator("maxmemory_policy")
    @classmethod
    def _a_policy(cls, value: str) -> str:
        return _one_of(value, MAXMEMORY_POLICIES, "maxmemory policy") or value


class SupabaseSettings(_Settings):
    """The stack's Supabase project (free: two projects per account, paused after a week idle)."""

    organization_slug: str = Field(pattern=r"^[\w-]+$", description="Organization the project is made in (its slug, "
                                                                    "from the dashboard URL /org/<slug>).")
    region: str = Field(default="us-east-1", description=f"Region code: one of {', '.join(SUPABASE_REGIONS)}.")
    plan: Literal["free", "pro", "team", "enterprise"] = Field(
        default="free", description="The organization's plan (Supabase sets plans per organization); the policy "
                                    "pack prices it.")

    @field_validator("region")
    @classmethod
    def _a_supabase_region(cls, value: str) -> str:
        return _one_of(value, SUPABASE_REGIONS, "Supabase region") or value
