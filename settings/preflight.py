"""Checks made before any resource is registered, for what config alone cannot prove."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pulumi

from providers import vercel
from providers.eas import client as eas_client
from providers.koyeb import client as koyeb_client
from providers.neon import client as neon_client
from providers.railway import client as railway_client
from providers.netlify import client as netlify_client
from providers.render import client as render_client
from providers.supabase import client as supabase_client
from providers.upstash import client as upstash_client
from providers.build.builder import build_dir
from settings.account_quotas import cross_stack_problems
from settings.approval import approval_problem
from settings.foundation import FoundationSettings
from settings.load import NAMESPACE
from settings.models import StackSettings
from settings.own_server import missing_port_problem, resolve_local_server
from settings.render_service_check import render_service_problems
from settings.rollback import pinned_artifact_problems

DEV_PASSPHRASE = "stagecraft-dev"
"""The documented passphrase of the `dev` stack's secrets (nothing secret lives there but local values)."""


# Credentials each platform's provider needs: the environment variables our dynamic providers read (named by
# their client modules), or, for the official Cloudflare provider, either its config key or its variable.
_CREDENTIALS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "koyeb": ((koyeb_client.TOKEN_VAR,), None),
    "neon": ((neon_client.KEY_VAR,), None),
    "upstash": ((upstash_client.EMAIL_VAR, upstash_client.KEY_VAR), None),
    "cloudflare": (("CLOUDFLARE_API_TOKEN",), "cloudflare:apiToken"),
    # Pages deployments upload through our dynamic provider, which can read only the environment.
    "cloudflare-pages": (("CLOUDFLARE_API_TOKEN",), None),
    "netlify": ((netlify_client.TOKEN_VAR,), None),
    "render": ((render_client.KEY_VAR,), None),
    "supabase": ((supabase_client.TOKEN_VAR,), None),
    "railway": ((railway_client.TOKEN_VAR,), None),
    "vercel": ((vercel.TOKEN_VAR,), vercel.CONFIG_KEY),
    "eas": ((eas_client.TOKEN_VAR,), None),
    # The foundation's official providers: pulumi-github reads GITHUB_TOKEN, pulumi-neon NEON_API_KEY.
    "github": (("GITHUB_TOKEN",), "github:token"),
}


def preflight(settings: StackSettings | FoundationSettings, environ: dict[str, str] | None = None,
              config_keys: set[str] | None = None, project_root: Path | None = None,
              dry_run: bool | None = None, live_stacks: Callable[[], list[str]] | None = None) -> None:
    """Stop the program with one clear message if the stack cannot be deployed from this machine.

    `dry_run` (default: whether the engine runs a preview) decides whether production's approval is checked: an
    update of production needs it, a preview (the PR check) does not. `live_stacks` replaces `pulumi stack ls` in the
    cross-stack quota check (tests)."""
    environ = dict(os.environ) if environ is None else environ
    dry_run = pulumi.runtime.is_dry_run() if dry_run is None else dry_run
    if isinstance(settings, FoundationSettings):
        problems = [_passphrase_problem(settings, environ),
                    *_credential_problems(settings, environ, config_keys or set(), {"github", "neon"})]
        problems = [p for p in problems if p]
        if problems:
            raise pulumi.RunError("\n".join(problems))
        return
    root = project_root or Path.cwd()
    problems = [_production_approval_problem(settings, environ, dry_run),
                _passphrase_problem(settings, environ), _local_postgres_problem(settings, root),
                *_credential_problems(settings, environ, config_keys or set()),
                *_frontend_source_problems(settings, root),
                *pinned_artifact_problems(settings.rollback, build_dir(root, environ), settings.stack)]
    if not any(problems):
        problems += render_service_problems(settings, environ)
    if not any(problems):
        problems += cross_stack_problems(settings, root, environ, live_stacks)
    problems = [p for p in problems if p]
    if problems:
        raise pulumi.RunError("\n".join(problems))


def _production_approval_problem(settings: StackSettings, environ: dict[str, str], dry_run: bool) -> str | None:
    """Production is updated only with a verified approval (DESIGN §7), also when `--policy-pack` is left out."""
    if dry_run or not (settings.stack == "production" or settings.environment == "production"):
        return None
    return approval_problem(settings.approval, settings.stack, environ)


def _passphrase_problem(settings: StackSettings, environ: dict[str, str]) -> str | None:
    if settings.stack != "dev" and environ.get("PULUMI_CONFIG_PASSPHRASE") == DEV_PASSPHRASE:
        return (f"stack {settings.stack!r} must not use the dev stack's documented passphrase. Fix: set "
                f"PULUMI_CONFIG_PASSPHRASE to this stack's own passphrase (or use a cloud secrets provider).")
    return None


def _platforms_in_use(settings: StackSettings) -> set[str]:
    if settings.is_pr:
        # A preview deploys its frontends onto the base's projects; only an own backend adds its service and branch.
        own = settings.pr_stacks.backend == "own"
        return {settings.frontend.platform, *((settings.backend.platform, "neon") if own else ())}
    used = {settings.backend.platform, settings.postgres.platform, settings.redis.platform,
            settings.frontend.platform}
    if settings.storage.platform == "r2":
        used.add("cloudflare")
    if settings.storage.platform == "supabase":
        used.add("supabase")
    if settings.storage.platform == "railway-volume":
        used.add("railway")
    if settings.mobile is not None:
        used.add(settings.mobile.platform)
    return used


def _credential_problems(settings: StackSettings | FoundationSettings, environ: dict[str, str], config_keys: set[str],
                         platforms: set[str] | None = None) -> list[str]:
    problems = []
    used = _platforms_in_use(settings) if platforms is None else platforms
    for platform in sorted(used & set(_CREDENTIALS)):
        variables, config_key = _CREDENTIALS[platform]
        if config_key and config_key in config_keys:
            continue
        missing = [v for v in variables if not environ.get(v)]
        if missing:
            alternative = f", or `pulumi config set --secret {config_key} <value> -s {settings.stack}`" \
                if config_key else ""
            problems.append(f"{platform} credentials are missing: set {' and '.join(missing)} in the environment "
                            f"(a CI secret){alternative}. Nothing was changed.")
    return problems


def _local_postgres_problem(settings: StackSettings, project_root: Path) -> str | None:
    if settings.postgres.platform != "local":
        return None
    from providers.local.postgres_admin import AdminTarget, PostgresUnavailable

    server = resolve_local_server(settings.postgres.local, project_root)
    if server.port is None:
        return missing_port_problem(server, settings.stack)
    target = AdminTarget(server.host, server.port, server.admin_user, server.admin_password_file)
    try:
        with target.connect() as conn:
            rows = conn.execute("SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
                                (list(settings.postgres.extensions),)).fetchall()
    except PostgresUnavailable as exc:
        return (f"{NAMESPACE}:postgres.local (host {server.host}, port {server.port}): {exc}. Nothing was changed.")
    missing = sorted(set(settings.postgres.extensions) - {row[0] for row in rows})
    if missing:
        return (f"{NAMESPACE}:postgres.extensions: the server at {server.host}:{server.port} cannot install "
                f"{', '.join(missing)}. Fix: run `make up` to use the project's own server (it has all three), or "
                f"install the missing extensions on yours. Nothing was changed.")
    return None


def _frontend_source_problems(settings: StackSettings, project_root: Path) -> list[str]:
    """Apps built by the program (every platform but `local`) need a source folder with a package.json, and a
    variant their package.json declares (`"stagecraft": {"variants": [...]}`), before anything is deployed."""
    if settings.frontend.platform == "local":
        return []
    configured = "apps" in settings.frontend.model_fields_set
    problems = []
    for index, app in enumerate(settings.frontend.apps):
        if app.name in settings.frontend.exclude:
            continue
        key = f"{NAMESPACE}:frontend.apps[{index}]" if configured else f"{NAMESPACE}:frontend.apps (default inventory)"
        source = Path(app.source) if Path(app.source).is_absolute() else project_root / app.source
        manifest = source / "package.json"
        if not manifest.is_file():
            what = "does not exist" if not source.exists() else "has no package.json"
            fix = (f"pulumi config set --path '{key}.source' <folder with the app's package.json> -s {settings.stack}"
                   if configured else f"restore the stand-in product (git checkout -- {app.source}) or set "
                                      f"{NAMESPACE}:frontend.apps to your own inventory (docs/configuration.md)")
            problems.append(f"{key}: app {app.name!r}: source folder {str(source)!r} {what}. Fix: {fix}. "
                            f"Nothing was changed.")
            continue
        declared = _declared_variants(manifest)
        if app.variant is not None and declared is not None and app.variant not in declared:
            fix = (f"pulumi config set --path '{key}.variant' {declared[0]} -s {settings.stack}" if configured
                   else f"exclude it (pulumi config set --path '{NAMESPACE}:frontend.exclude[0]' {app.name} "
                        f"-s {settings.stack}) or add the variant to the app")
            problems.append(f"{key}: app {app.name!r}: variant {app.variant!r} is not one the app builds "
                            f"({', '.join(declared)}, declared in {manifest}). Fix: {fix}. Nothing was changed.")
    return problems


def _declared_variants(manifest: Path) -> list[str] | None:
    try:
        declared = (json.loads(manifest.read_text()).get("stagecraft") or {}).get("variants")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(v) for v in declared] if isinstance(declared, list) and declared else None
