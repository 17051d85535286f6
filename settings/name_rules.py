"""Physical names the platforms would refuse once the stack name is in them (`<project>-<stack>-<role>`).

Each platform's own rule, as its provider's `check` enforces it (the limits are imported from there where the provider
names them): a name that breaks one is reported at the key that makes it (`storage.bucket`, `frontend.apps[0].name`),
with a value that fits, or, where only the stack name can change, as the stack's name with `pulumi stack rename` to
one that fits. Netlify site names and Vercel project names have their own rules (beta/preprod_platform_rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails

from providers.cloudflare.catalog import PROJECT_NAME as PAGES_PROJECT_NAME
from providers.eas.catalog import NAME as EAS_NAME
from providers.koyeb.catalog import DNS_LABEL as KOYEB_NAME
from providers.supabase.catalog import BUCKET_NAME as SUPABASE_BUCKET_NAME
from settings.fixes import value_word
from settings.located import located
from settings.partial import each
from settings.problems import STACK_NAME_KEY

if TYPE_CHECKING:
    from settings.models import StackSettings

_DNS_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_RAILWAY_ENVIRONMENT = r"[A-Za-z0-9][A-Za-z0-9_-]*"


@dataclass(frozen=True)
class NameRule:
    """What one platform accepts as the name of one kind of thing."""

    what: str
    pattern: str
    """Full-match regex of an acceptable name."""
    max_length: int
    min_length: int = 1
    hint: str = "lower-case letters, digits and dashes, starting and ending with a letter or digit"

    def problem(self, name: str) -> str | None:
        """Why the platform would refuse `name`, or None."""
        if self.min_length <= len(name) <= self.max_length and re.fullmatch(self.pattern, name):
            return None
        return (f"makes the {self.what} {name!r} ({len(name)} characters), which the platform refuses: "
                f"{self.min_length}-{self.max_length} characters, {self.hint}")


PAGES_PROJECT = NameRule("Cloudflare Pages project name", PAGES_PROJECT_NAME, 58)
"""providers/cloudflare/pages_deployment.py: at most 58 characters, a DNS label (the `<name>.pages.dev` host)."""
R2_BUCKET = NameRule("R2 bucket name", _DNS_LABEL, 63, 3)
"""Cloudflare's API schema `r2_bucket_name` (3-64, `^[a-z0-9][a-z0-9-]*[a-z0-9]$`) and R2's S3 naming (at most 63)."""
KOYEB_SERVICE = NameRule("Koyeb service name", KOYEB_NAME, 64, 3)
"""providers/koyeb/service.py and Koyeb's Terraform provider: 3-64 characters, a DNS label."""
RAILWAY_NAME = NameRule("Railway project or service name", r".+", 64, hint="any characters")
"""providers/railway/project.py and service.py: at most 64 characters."""
RAILWAY_ENVIRONMENT = NameRule("Railway environment name (the stack name)", _RAILWAY_ENVIRONMENT, 64,
                               hint="letters, digits, - and _, starting with a letter or digit")
RENDER_NAME = NameRule("Render service name", r".+", 255, hint="any characters")
SUPABASE_PROJECT = NameRule("Supabase project name", r".+", 256, hint="any characters")
"""supabase-management.openapi.json `V1CreateProjectBody.name`: at most 256."""
SUPABASE_BUCKET = NameRule("Supabase Storage bucket name", SUPABASE_BUCKET_NAME, 100, 2,
                           hint="lower-case letters, digits, dots, dashes and underscores")
NEON_BRANCH = NameRule("Neon branch name (the stack name)", r".+", 256, hint="any characters")
"""neon.openapi.json `BranchCreateRequest.branch.name`: at most 256."""
EAS_CHANNEL = NameRule("EAS channel and branch name (the stack name)", EAS_NAME, 100,
                       hint="letters, digits, . _ / -, starting with a letter or digit")


def _fitting_stack(settings: "StackSettings", rule: NameRule, around: int) -> str:
    """A stack name that fits the rule with `around` characters of the name around it: the stack's own, made
    lower case and valid, then shortened."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", settings.stack.lower()).strip("-") or "stack"
    return cleaned[:max(1, rule.max_length - around)].rstrip("-") or "s"


def _stack_name_problem(settings: "StackSettings", rule: NameRule, name: str, around: int) -> InitErrorDetails:
    return located((), settings.stack, f"{rule.problem(name)}; the stack's name is the part that can change",
                   key=f"{STACK_NAME_KEY} {settings.stack!r}",
                   fix_command=f"pulumi stack rename {_fitting_stack(settings, rule, around)} -s {{stack}}")


def _role_problem(settings: "StackSettings", rule: NameRule, loc: tuple[Any, ...], role: str,
                  configured: bool) -> InitErrorDetails | None:
    """The problem with `<project>-<stack>-<role>`, at the key that names `role` when the user set it (with a
    shorter value that fits), else at the stack name."""
    name = settings.physical_name(role)
    if rule.problem(name) is None:
        return None
    room = rule.max_length - len(settings.physical_name(""))
    shorter = role[:max(room, 0)].rstrip("-")
    if configured and len(shorter) >= 2 and rule.problem(settings.physical_name(shorter)) is None:
        return located(loc, role, f"this name {rule.problem(name)}", fix_value=value_word(shorter))
    return _stack_name_problem(settings, rule, name, len(settings.project) + len(role) + 2)


def _whole_name_problem(settings: "StackSettings", rule: NameRule, name: str) -> InitErrorDetails | None:
    """A name made of the stack name alone, or of `<project>-<stack>`."""
    if rule.problem(name) is None:
        return None
    return _stack_name_problem(settings, rule, name, len(name) - len(settings.stack))


def _pages_projects(settings: "StackSettings") -> list[InitErrorDetails | None]:
    frontend = settings.frontend
    if frontend.platform != "cloudflare-pages":
        return []
    configured = "apps" in frontend.model_fields_set
    return [_role_problem(settings, PAGES_PROJECT, ("frontend", "apps", index, "name"), app.name, configured)
            for index, app in enumerate(frontend.apps) if app.name not in frontend.exclude]


def _bucket(settings: "StackSettings") -> list[InitErrorDetails | None]:
    storage = settings.storage
    rule = {"r2": R2_BUCKET, "supabase": SUPABASE_BUCKET}.get(storage.platform)
    return [_role_problem(settings, rule, ("storage", "bucket"), storage.bucket, "bucket" in storage.model_fields_set)
            ] if rule else []


def _backend_service(settings: "StackSettings") -> list[InitErrorDetails | None]:
    backend = settings.backend
    rule = {"koyeb": KOYEB_SERVICE, "railway": RAILWAY_NAME}.get(backend.platform)
    if backend.platform == "render" and backend.render is not None and backend.render.service_id is None:
        rule = RENDER_NAME  # a dashboard-made service keeps its own name
    return [_role_problem(settings, rule, (), "api", False)] if rule else []


def _render_cache(settings: "StackSettings") -> list[InitErrorDetails | None]:
    return [_role_problem(settings, RENDER_NAME, (), "cache", False)] if settings.redis.platform == "render" else []


def _stack_wide(settings: "StackSettings") -> list[InitErrorDetails | None]:
    """Names made of the stack name alone, or of `<project>-<stack>`, on the platforms that use it."""
    stack_wide = f"{settings.project}-{settings.stack}"
    problems: list[InitErrorDetails | None] = []
    if settings.postgres.platform == "neon":
        problems.append(_whole_name_problem(settings, NEON_BRANCH, settings.stack))
    if "supabase" in (settings.postgres.platform, settings.storage.platform):
        problems.append(_whole_name_problem(settings, SUPABASE_PROJECT, stack_wide))
    if settings.mobile is not None and settings.mobile.channel is None:
        problems.append(_whole_name_problem(settings, EAS_CHANNEL, settings.stack))
    platforms = {settings.backend.platform, settings.postgres.platform, settings.storage.platform}
    if platforms & {"railway", "railway-volume"} or settings.redis.platform == "railway":
        problems += [_whole_name_problem(settings, RAILWAY_NAME, stack_wide),
                     _whole_name_problem(settings, RAILWAY_ENVIRONMENT, settings.stack)]
    return problems


def physical_name_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """Every name of this stack that its platform would refuse, at the key (or stack name) that makes it."""
    found = each(lambda: _pages_projects(settings), lambda: _bucket(settings), lambda: _backend_service(settings),
                 lambda: _render_cache(settings), lambda: _stack_wide(settings))
    return _one_per_key(found)


def _one_per_key(problems: list[InitErrorDetails]) -> list[InitErrorDetails]:
    """The stack name can be too long for several platforms at once: one problem, with the shortest name that fits."""
    kept: dict[Any, InitErrorDetails] = {}
    for problem in problems:
        context = problem["type"].context or {}  # type: ignore[union-attr]
        key = context.get("key") or tuple(problem["loc"])
        if key not in kept or len(context.get("fix_command", "")) < len(
                (kept[key]["type"].context or {}).get("fix_command", "")):  # type: ignore[union-attr]
            kept[key] = problem
    return list(kept.values())
