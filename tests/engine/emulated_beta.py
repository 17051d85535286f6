"""The beta stack's own resources on a throwaway stack, against emulated Netlify, Render and Supabase accounts.

The Render account holds the free web service someone made in the dashboard (the API cannot make it); the
Supabase account has the organization, and each of its projects sits on a real database on the project's
PostgreSQL server, so the extensions are really enabled. The platforms' rate limits run on a clock compressed by
the same factor as the providers' waits (`STAGECRAFT_HTTP_BACKOFF_SCALE`), so Netlify's 3 deploys a minute shape
the run as they would for real, only faster.
"""

from __future__ import annotations

import functools
import os
from contextlib import ExitStack
from pathlib import Path

from tests.emulators import NetlifyEmulator, RenderEmulator, SupabaseEmulator, SupabaseStorageEmulator
from tests.engine.account_snapshots import AccountSnapshots
from tests.engine.cli import ProjectCopy
from tests.engine.emulated_uat import BUILD_CACHE
from tests.machine import project_admin_url

PROGRAM = Path(__file__).parent / "programs" / "beta_dynamic.py"
DASHBOARD_IMAGE = "docker.io/library/nginx:latest"
DASHBOARD_ENV = {"WELCOME": "made in the dashboard"}
ADMIN_URL = functools.cache(project_admin_url)


class EmulatedBetaAccounts(AccountSnapshots):
    """Netlify, Render and Supabase (Management + Storage) accounts on loopback, and the providers' environment."""

    COLLECTIONS = {"netlify": ("sites", "env"), "render": ("services", "key_values"),
                   "supabase": ("projects",), "supabase-storage": ("buckets",)}

    def __init__(self, stack: ExitStack) -> None:
        scale = float(os.environ.get("STAGECRAFT_HTTP_BACKOFF_SCALE", "0.05"))
        self.netlify = NetlifyEmulator(token="nfp-test-token", rate_limit_scale=scale)
        self.render = RenderEmulator(api_key="rnd-test-key", rate_limit_scale=scale)
        self.supabase = SupabaseEmulator(postgres_admin_url=ADMIN_URL(), token="sbp-test-token")
        self.storage = SupabaseStorageEmulator(self.supabase)
        stack.callback(self.supabase.close)
        self.owner_id = self.render.add_owner("Weedgo")
        self.service_id = self.render.add_dashboard_service(self.owner_id, "weedgo-api", image=DASHBOARD_IMAGE,
                                                            env=DASHBOARD_ENV)
        self.organization = self.supabase.add_organization("weedgo")
        self.baseline = self.snapshot()
        self.netlify_url = stack.enter_context(self.netlify.serve())
        storage_url = stack.enter_context(self.storage.serve())
        self.env = {
            "NETLIFY_API_URL": self.netlify_url + "/api/v1", "NETLIFY_AUTH_TOKEN": "nfp-test-token",
            "RENDER_API_URL": stack.enter_context(self.render.serve()) + "/v1", "RENDER_API_KEY": "rnd-test-key",
            "SUPABASE_API_URL": stack.enter_context(self.supabase.serve()), "SUPABASE_ACCESS_TOKEN": "sbp-test-token",
            "SUPABASE_STORAGE_URL_TEMPLATE": storage_url + "/{ref}/storage/v1",
            "STAGECRAFT_BUILD_DIR": str(BUILD_CACHE),
            "STAGECRAFT_HTTP_BACKOFF_SCALE": str(scale),
        }

    def emulators(self):
        return {"netlify": self.netlify, "render": self.render, "supabase": self.supabase,
                "supabase-storage": self.storage}

    def dashboard_service(self) -> dict:
        """The dashboard-made service as Render holds it, with its env var set."""
        service = self.render.store.get("services", self.service_id)
        return {**self.render.render("services", service), "env": {e["key"]: e["value"] for e in service["_env"]}}


def beta_config(accounts: EmulatedBetaAccounts, **values: object) -> dict[str, object]:
    """The program's config for `accounts`, plus `betatest:<key>` values (image, jwtRotation, apps)."""
    return {"betatest:ownerId": accounts.owner_id, "betatest:serviceId": accounts.service_id,
            "betatest:organization": accounts.organization,
            **{f"betatest:{key}": value for key, value in values.items()}}


def beta_dynamic_stack(tmp_path: Path, accounts: EmulatedBetaAccounts, **values: object) -> ProjectCopy:
    """A new `beta` stack of programs/beta_dynamic.py whose providers point at `accounts`."""
    return ProjectCopy(tmp_path / "project", "beta", beta_config(accounts, **values), extra_env=accounts.env,
                       passphrase="engine-test-passphrase", program=PROGRAM)
