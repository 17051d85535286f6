"""PrEnvironment: a `pr-<n>` stack, a preview of the PR's code on its base stack's platforms (DESIGN §1).

Every frontend is built from the PR's code and deployed as a preview onto the base stack's own project (Pages, Netlify
or Vercel) under the alias `pr-<n>`: no new project. By default the previews talk to the base stack's backend, and the
PR makes no service and no database. With `prStacks.backend: own` the PR gets a backend of its own (on the base's
backend platform and account, whose free quota must have room) and a Neon branch forked from the base's branch; it
shares the base's cache and bucket. A PR never gets a database of its own while it shares the base's backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi

from components.backend_env import backend_env
from components.backend_service import BackendService, BackendServiceArgs
from components.frontend_builds import FrontendBuilds, FrontendBuildsArgs
from components.frontend_site import FrontendSite, FrontendSiteArgs
from components.postgres_branch import PostgresBranch, PostgresBranchArgs
from components.stack_reference import StackLink, StackNeed
from settings.models import StackSettings
from settings.pr_stacks import pr_number

OUTPUT_SCHEMA_VERSION = 1
SHARED_OUTPUTS = ("api.url", "api.healthUrl", "api.platform")
OWN_BACKEND_OUTPUTS = ("database.neonProjectId", "database.branchId", "redis.url", "storage.bucket",
                       "storage.endpoint")


def base_need(settings: StackSettings) -> StackNeed:
    """What a PR stack reads from its base stack, and how to fix it when it cannot."""
    base = settings.pr_stacks.base or ""
    outputs = [*SHARED_OUTPUTS, *(f"apps.{app.name}.projectId" for app in settings.frontend.deployed_apps)]
    if settings.pr_stacks.backend == "own":
        outputs += OWN_BACKEND_OUTPUTS
    return StackNeed(stack=base, key="stagecraft:prStacks.base", outputs=tuple(outputs),
                     deploy_hint=f"`pulumi up -s {base}`: the base's projects and backend the previews use")


class PrEnvironment(pulumi.ComponentResource):
    """The PR's frontends as previews on the base stack's projects, and (opted in) its own backend and Neon branch."""

    def __init__(self, name: str, settings: StackSettings, project_root: Path, base_outputs: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        """`base_outputs`: the base stack's outputs as checked before anything changed (`components.program`)."""
        super().__init__("stagecraft:index:PrEnvironment", name, None, opts)
        self._settings = settings
        child = pulumi.ResourceOptions(parent=self)
        owner = f"{settings.project}/{settings.stack}"
        self.base = StackLink("base", base_need(settings), base_outputs, parent=self)
        self.alias = f"pr-{pr_number(settings.stack)}"
        self.postgres: PostgresBranch | None = None
        self.backend: BackendService | None = None
        self.jwt_secret: pulumi.Output[str] | None = None
        if settings.pr_stacks.backend == "own":
            self._own_backend(settings, owner, child)
            api_url, health_url = self.backend.url, self.backend.health_url
        else:
            api_url, health_url = self.base.output("api.url"), self.base.output("api.healthUrl")
        self.api_url, self.health_url = pulumi.Output.from_input(api_url), pulumi.Output.from_input(health_url)

        frontend = settings.frontend
        builds = FrontendBuilds("frontend-builds", FrontendBuildsArgs(
            apps=frontend.deployed_apps, project_root=project_root, api_url=self.api_url,
            environment=settings.environment), opts=child)
        self.frontends = {
            app.name: FrontendSite(f"frontend-{app.name}", FrontendSiteArgs(
                # `<project>-pr-<n>-<app>`: never the base's own names (the Vercel alias is made from it).
                app=app, platform=frontend.platform, physical_name=settings.physical_name(app.name),
                api_url=self.api_url, environment=settings.environment,
                production_branch=frontend.production_branch, deploy_branch=self.alias,
                existing_project=self.base.output(f"apps.{app.name}.projectId"),
                artifact_dir=builds.artifact_dirs[app.name], artifact_digest=builds.artifact_digests[app.name],
                deploy_after=builds.resources,
                cloudflare_account_id=settings.cloudflare.account_id if settings.cloudflare else None,
                owner=owner, project_root=str(project_root)), opts=child)
            for app in frontend.deployed_apps
        }
        self.register_outputs({})

    def _own_backend(self, settings: StackSettings, owner: str, child: pulumi.ResourceOptions) -> None:
        from providers.local.generated_secret import GeneratedSecret, GeneratedSecretArgs

        pg = settings.postgres
        self.postgres = PostgresBranch("postgres", PostgresBranchArgs(
            platform="neon", physical_name=settings.physical_name("db"), branch=settings.stack, database=pg.database,
            role=pg.role, extensions=pg.extensions, owner=owner, neon=pg.neon,
            neon_project_id=self.base.output("database.neonProjectId"), neon_mode="fork",
            neon_parent_branch_id=self.base.output("database.branchId")), opts=child)
        # Its own secret: a PR's code must not be able to sign tokens the base stack accepts.
        self.jwt_secret = pulumi.Output.secret(GeneratedSecret("jwt-secret", GeneratedSecretArgs(length=48),
                                                               opts=child).value)
        plain_env, secret_env = backend_env(
            environment=settings.environment, storage_platform=settings.storage.platform,
            bucket=self.base.output("storage.bucket"), endpoint=self.base.output("storage.endpoint"),
            access_key_id=self.base.output("storage.accessKeyId"),
            secret_access_key=pulumi.Output.secret(self.base.output("storage.secretAccessKey")),
            jwt_secret=self.jwt_secret, database_url=self.postgres.connection_uri,
            redis_url=pulumi.Output.secret(self.base.output("redis.url")))
        backend = settings.backend
        self.backend = BackendService("backend", BackendServiceArgs(
            platform=backend.platform, physical_name=settings.physical_name("api"), port=backend.port,
            health_check_path=backend.health_check_path, image=backend.image, koyeb=backend.koyeb, owner=owner,
            env=plain_env, secret_env=secret_env), opts=child)

    def stack_outputs(self) -> dict[str, Any]:
        """The output document (docs/outputs.md) of a preview: its URLs, its base, and what it runs on."""
        settings = self._settings
        apps = {app.name: app for app in settings.frontend.deployed_apps}
        own = self.backend is not None
        return {
            "schemaVersion": OUTPUT_SCHEMA_VERSION,
            "environment": settings.environment,
            "stack": settings.stack,
            "pr": {"number": pr_number(settings.stack), "base": settings.pr_stacks.base,
                   "backend": settings.pr_stacks.backend, "alias": self.alias},
            "api": {"url": self.api_url, "healthUrl": self.health_url, "platform": settings.backend.platform},
            "apps": {name: {"url": site.url, "platform": site.platform, "projectId": site.project_id,
                            "deploymentId": site.deployment_id, "variant": apps[name].variant}
                     for name, site in self.frontends.items()},
            "database": {"connectionUri": self.postgres.connection_uri, "host": self.postgres.host,
                         "database": self.postgres.database, "branch": self.postgres.branch,
                         "branchId": self.postgres.branch_id, "platform": "neon"} if own else None,
            "jwtSecret": self.jwt_secret if own else None,
        }
