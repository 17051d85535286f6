"""Cross-key rules of the Netlify, Render and Supabase settings, each problem located at the key that fixes it.

A rule that involves several keys (a site name made of the prefix and an app name, a cache that must share the
backend's private network) is reported at the one key to change, so the message and its fix command name it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails, PydanticCustomError

from settings.beta_platforms import DNS_LABEL, SITE_NAME_MAX

if TYPE_CHECKING:
    from settings.models import StackSettings


def _problem(loc: tuple[Any, ...], value: Any, message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)


def beta_platform_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """Every Netlify/Render/Supabase rule the settings break, located at the key that fixes it."""
    return [*_site_name_problems(settings), *_render_problems(settings), *_supabase_problems(settings)]


def _site_name_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    if settings.frontend.platform != "netlify":
        return []
    prefix_set = settings.netlify.site_name_prefix is not None
    problems = []
    for index, app in enumerate(settings.frontend.apps):
        if app.name in settings.frontend.exclude:
            continue
        name = settings.netlify_site_name(app.name)
        if len(name) <= SITE_NAME_MAX and DNS_LABEL.match(name):
            continue
        why = (f"makes the Netlify site name {name!r} ({len(name)} characters) for app {app.name!r}; Netlify site "
               f"names are <name>.netlify.app labels: at most {SITE_NAME_MAX} lower-case letters, digits and dashes")
        if prefix_set or "apps" not in settings.frontend.model_fields_set:
            prefix = settings.netlify.site_name_prefix or f"{settings.project}-{settings.stack}"
            problems.append(_problem(("netlify", "siteNamePrefix"), prefix, f"prefix {prefix!r} {why}; choose a "
                                     f"shorter prefix"))
        else:
            problems.append(_problem(("frontend", "apps", index, "name"), app.name, f"this name {why}"))
    return problems


def _render_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    uses_render = settings.backend.platform == "render" or settings.redis.platform == "render"
    problems = []
    if uses_render and settings.render is None:
        problems.append(_problem(("render", "ownerId"), None, "is required by the render platform: the Render "
                                 "workspace (tea-... or usr-...) the service and cache live in"))
    if settings.backend.platform == "render" and settings.backend.render is None:
        problems.append(_problem(("backend", "render", "serviceId"), None, "is required by the render platform: the "
                                 "free web service made in the Render dashboard (srv-...), or set "
                                 "backend.render.plan to have stagecraft create a paid one"))
    if settings.redis.platform == "render" and settings.backend.platform != "render":
        problems.append(_problem(("redis", "platform"), "render", "render (Key Value) is reached over Render's "
                                 "private network, so it needs the backend on render too; use upstash instead"))
    return problems


def _supabase_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    uses_supabase = settings.postgres.platform == "supabase" or settings.storage.platform == "supabase"
    if uses_supabase and settings.supabase is None:
        return [_problem(("supabase", "organizationSlug"), None, "is required by the supabase platform: the "
                         "organization the stack's project is made in")]
    return []
