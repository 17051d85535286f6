"""Checks made before any resource is registered, for what config alone cannot prove: the machine (the local
PostgreSQL server, folders, source trees, pinned builds), the environment (credentials, the passphrase, production's
approval), the platforms' own answers (the Render service) and the other stacks (shared free quotas). Each problem
names the key and its fix; `settings.pulumi_source` reports them with the configuration's problems, in one message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Any

import pulumi

from providers import vercel
from providers.build.builder import build_dir
from settings.account_quotas import cross_stack_problems
from settings.approval import approval_problem
from settings.foundation import FoundationSettings
from settings.fixes import NAMESPACE, key_of, placeholder, rm_command, set_command
from settings.local_folders import folder_problem
from settings.models import EnvFilesSettings, StackSettings, StorageSettings
from settings.own_server import missing_port_problem, resolve_local_server
from settings.partial import each
from settings.problems import Problem, render, text_problem
from settings.rollback import pinned_artifact_problems

DEV_PASSPHRASE = "stagecraft-dev"
"""The documented passphrase of the `dev` stack's secrets (nothing secret lives there but local values)."""


# Credentials each platform's provider needs: the environment variables our dynamic providers read (named by
# their client modules, as `module:ATTRIBUTE`, imported only for a platform the stack uses: a client loads httpx), or,
# for the official Cloudflare provider, either its config key or its variable.
_CREDENTIALS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "koyeb": (("providers.koyeb.client:TOKEN_VAR",), None),
    "neon": (("providers.neon.client:KEY_VAR",), None),
    "upstash": (("providers.upstash.client:EMAIL_VAR", "providers.upstash.client:KEY_VAR"), None),
    "cloudflare": (("CLOUDFLARE_API_TOKEN",), "cloudflare:apiToken"),
    # Pages deployments upload through our dynamic provider, which can read only the environment.
    "cloudflare-pages": (("CLOUDFLARE_API_TOKEN",), None),
    "netlify": (("providers.netlify.client:TOKEN_VAR",), None),
    "render": (("providers.render.client:KEY_VAR",), None),
    "supabase": (("providers.supabase.client:TOKEN_VAR",), None),
    "railway": (("providers.railway.client:TOKEN_VAR",), None),
    "vercel": ((vercel.TOKEN_VAR,), vercel.CONFIG_KEY),
    "eas": (("providers.eas.client:TOKEN_VAR",), None),
    # The foundation's official providers: pulumi-github reads GITHUB_TOKEN, pulumi-neon NEON_API_KEY.
    "github": (("GITHUB_TOKEN",), "github:token"),
}


def _variable(name: str) -> str:
    """The environment variable `name` stands for: itself, or the `module:ATTRIBUTE` that holds it."""
    module, _, attribute = name.partition(":")
    return getattr(import_module(module), attribute) if attribute else name


def preflight(settings: StackSettings | FoundationSettings, environ: dict[str, str] | None = None,
              config_keys: set[str] | None = None, project_root: Path | None = None,
              dry_run: bool | None = None, live_stacks: Callable[[], list[str]] | None = None) -> None:
    """Stop the program with one clear message if the stack cannot be deployed from this machine.

    `dry_run` (default: whether the engine runs a preview) decides whether production's approval is checked: an
    update of production needs it, a preview (the PR check) does not. `live_stacks` replaces `pulumi stack ls` in the
    cross-stack quota check (tests)."""
    problems = preflight_problems(settings, environ, config_keys, project_root, dry_run, live_stacks)
    if problems:
        raise pulumi.RunError(render(settings.stack, problems))


def preflight_problems(settings: Any, environ: dict[str, str] | None = None, config_keys: set[str] | None = None,
                       project_root: Path | None = None, dry_run: bool | None = None,
                       live_stacks: Callable[[], list[str]] | None = None) -> list[Problem]:
    """Every problem the checks find. `settings` may be partial (settings.partial): a check that needs a section
    that did not validate is skipped, since that section's problems are reported already."""
    environ = dict(os.environ) if environ is None else environ
    dry_run = pulumi.runtime.is_dry_run() if dry_run is None else dry_run
    root = project_root or Path.cwd()
    checks: list[Callable[[], Iterable[Problem | None]]]
    if isinstance(settings, FoundationSettings):
        checks = [lambda: [_passphrase_problem(settings, environ)],
                  lambda: _credential_problems(settings, environ, config_keys or set(), {"github", "neon"})]
    else:
        checks = [
            lambda: [_production_approval_problem(settings, environ, dry_run)],
            lambda: [_passphrase_problem(settings, environ)],
            lambda: _local_postgres_problems(settings, root),
            lambda: _credential_problems(settings, environ, config_keys or set()),
            lambda: _frontend_source_problems(settings, root),
            lambda: _local_folder_problems(settings, root),
            lambda: map(text_problem, pinned_artifact_problems(settings.rollback, build_dir(root, environ),
                                                               settings.stack)),
            lambda: map(text_problem, _render_service_problems(settings, environ)),
        ]
        if isinstance(settings, StackSettings):  # the other stacks are compared with a whole, valid one
            checks.append(lambda: map(text_problem, cross_stack_problems(settings, root, environ, live_stacks)))
    return each(*checks)


def _production_approval_problem(settings: Any, environ: dict[str, str], dry_run: bool) -> Problem | None:
    """Production is updated only with a verified approval (DESIGN §7), also when `--policy-pack` is left out."""
    if dry_run or not (settings.stack == "production" or settings.environment == "production"):
        return None
    return text_problem(approval_problem(settings.approval, settings.stack, environ))


def _passphrase_problem(settings: Any, environ: dict[str, str]) -> Problem | None:
    if settings.stack != "dev" and environ.get("PULUMI_CONFIG_PASSPHRASE") == DEV_PASSPHRASE:
        return Problem("PULUMI_CONFIG_PASSPHRASE",
                       f"stack {settings.stack!r} must not use the dev stack's documented passphrase: anyone could "
                       f"read its secrets (use this stack's own passphrase, or a cloud secrets provider)",
                       f"export PULUMI_CONFIG_PASSPHRASE={placeholder('this stack passphrase')}")
    return None


def _platforms_in_use(settings: Any) -> set[str]:
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


def _credential_problems(settings: Any, environ: dict[str, str], config_keys: set[str],
                         platforms: set[str] | None = None) -> list[Problem]:
    problems = []
    used = _platforms_in_use(settings) if platforms is None else platforms
    for platform in sorted(used & set(_CREDENTIALS)):
        names, config_key = _CREDENTIALS[platform]
        variables = [_variable(name) for name in names]
        if config_key and config_key in config_keys:
            continue
        missing = [v for v in variables if not environ.get(v)]
        if missing:
            alternative = f", or `pulumi config set --secret {config_key} {placeholder('value')} -s {settings.stack}`" \
                if config_key else ""
            problems.append(Problem(" and ".join(missing), f"{platform} credentials are missing: set "
                                    f"{' and '.join(missing)} in the environment (a CI secret){alternative}",
                                    " && ".join(f"export {v}={placeholder(f'{platform} {v}')}" for v in missing)))
    return problems


def _local_postgres_problems(settings: Any, project_root: Path) -> list[Problem | None]:
    if settings.postgres.platform != "local":
        return []
    from providers.local.postgres_admin import AdminTarget, PostgresUnavailable, privileged_role

    postgres = settings.postgres
    server = resolve_local_server(postgres.local, project_root)
    if server.port is None:
        return [text_problem(missing_port_problem(server, settings.stack))]
    target = AdminTarget(server.host, server.port, server.admin_user, server.admin_password_file)
    try:
        with target.connect() as conn:
            rows = conn.execute("SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
                                (list(postgres.extensions),)).fetchall()
            powers = privileged_role(conn, postgres.role)
            taken = _taken_database_problem(conn, settings, f"{server.host}:{server.port}")
    except PostgresUnavailable as exc:
        key = key_of(("postgres", "local", "port" if postgres.local.port is not None else "host"))
        return [Problem(key, f"the server at host {server.host}, port {server.port} "
                             f"(stagecraft:postgres.local) cannot be used: {exc}", "bash bootstrap/postgres.sh ensure")]
    problems: list[Problem | None] = [taken]
    missing = sorted(set(postgres.extensions) - {row[0] for row in rows})
    if missing:
        problems.append(Problem(key_of(("postgres", "extensions")), f"the server at {server.host}:{server.port} "
                                f"cannot install {', '.join(missing)}; the project's own server (make up) has all "
                                f"three, or install them on yours", "make up"))
    if powers:
        key = key_of(("postgres", "role"))
        fix = rm_command(key, settings.stack) if "role" in postgres.model_fields_set \
            else set_command(key, "stagecraft_role", settings.stack)
        problems.append(Problem(key, f"role {postgres.role!r} already exists on the server at {server.host}:"
                                     f"{server.port} and holds {', '.join(powers)}: it is the server's own, and the "
                                     f"stack would reset its password and drop it on destroy", fix))
    return problems


def _taken_database_problem(conn: Any, settings: Any, where: str) -> Problem | None:
    """A database of that name that another role owns is not this stack's (its own belongs to its role): the stack
    would adopt it, hand its role the data and drop it on destroy."""
    postgres = settings.postgres
    row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                       (postgres.database,)).fetchone()
    if row is None or row[0] == postgres.role:
        return None
    base = re.sub(r"[^a-z0-9_]+", "_", f"{settings.stack}_{postgres.database}".lower()).strip("_")[:56] or "app"
    free = next(name for name in (base, *(f"{base}_{n}" for n in range(2, 100)))
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None)
    key = key_of(("postgres", "database"))
    return Problem(key, f"database {postgres.database!r} already exists on the server at {where} and belongs to role "
                        f"{row[0]!r}, not to this stack's role {postgres.role!r}: it is not this stack's, and the stack "
                        f"would take it over and drop it on destroy", set_command(key, free, settings.stack))


def _local_folder_problems(settings: Any, project_root: Path) -> list[Problem | None]:
    """Folders the local platforms write into: the env files' (when anything is local) and the buckets'."""
    problems = []
    if "local" in (settings.backend.platform, settings.frontend.platform):
        env_files = settings.env_files
        problems.append(folder_problem(("envFiles", "directory"), env_files.directory,
                                       EnvFilesSettings.model_fields["directory"].default,
                                       "directory" in env_files.model_fields_set, project_root, settings.stack,
                                       settings.stack))
    storage = settings.storage
    if storage.platform == "local":
        problems.append(folder_problem(("storage", "localRoot"), storage.local_root,
                                       StorageSettings.model_fields["local_root"].default,
                                       "local_root" in storage.model_fields_set, project_root,
                                       f"{settings.project}-{settings.stack}-{storage.bucket}", settings.stack))
    return problems


def _frontend_source_problems(settings: Any, project_root: Path) -> list[Problem]:
    """Apps built by the program (every platform but `local`) need a source folder with a package.json, and a
    variant their package.json declares (`"stagecraft": {"variants": [...]}`), before anything is deployed."""
    if settings.frontend.platform == "local":
        return []
    configured = "apps" in settings.frontend.model_fields_set
    problems = []
    for index, app in enumerate(settings.frontend.apps):
        if app.name in settings.frontend.exclude:
            continue
        source = Path(app.source) if Path(app.source).is_absolute() else project_root / app.source
        manifest = source / "package.json"
        if not manifest.is_file():
            what = "does not exist" if not source.exists() else "has no package.json"
            reason = f"app {app.name!r}: source folder {str(source)!r} {what}"
            if configured:
                key = key_of(("frontend", "apps", index, "source"))
                problems.append(Problem(key, reason, set_command(key, placeholder("folder with the app package.json"),
                                                                 settings.stack)))
            else:
                problems.append(Problem(f"{NAMESPACE}:frontend.apps", reason + " (the default inventory builds the "
                                        "stand-in product; or set stagecraft:frontend.apps to your own inventory, "
                                        "docs/configuration.md)", f"git checkout -- {app.source}"))
            continue
        declared = _declared_variants(manifest)
        if app.variant is not None and declared is not None and app.variant not in declared:
            reason = (f"app {app.name!r}: variant {app.variant!r} is not one the app builds ({', '.join(declared)}, "
                      f"declared in {manifest})")
            if configured:
                key = key_of(("frontend", "apps", index, "variant"))
                problems.append(Problem(key, reason, set_command(key, declared[0], settings.stack)))
            else:
                problems.append(Problem(key_of(("frontend", "exclude")), reason + "; exclude the app, or add the "
                                        "variant to it", set_command(key_of(("frontend", "exclude", 0)), app.name,
                                                                     settings.stack)))
    return problems


def _declared_variants(manifest: Path) -> list[str] | None:
    try:
        declared = (json.loads(manifest.read_text()).get("stagecraft") or {}).get("variants")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(v) for v in declared] if isinstance(declared, list) and declared else None


def _render_service_problems(settings: Any, environ: dict[str, str]) -> list[str]:
    """The Render service check, imported only for a stack whose backend runs on Render (it loads Render's HTTP
    client)."""
    if getattr(settings.backend, "platform", None) != "render":
        return []
    from settings.render_service_check import render_service_problems

    return render_service_problems(settings, environ)
