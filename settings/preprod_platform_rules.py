"""Cross-key rules of the Vercel, Railway and Expo settings, each problem located at the key that fixes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails, PydanticCustomError

from settings.preprod_platforms import RAILWAY_PLAN_MAX_REPLICAS, VERCEL_PROJECT_NAME_MAX, vercel_project_name_problem

if TYPE_CHECKING:
    from settings.models import StackSettings


def _problem(loc: tuple[Any, ...], value: Any, message: str, *, fix_value: Any = None,
             kind: str = "value_error") -> InitErrorDetails:
    # Braces in a message are pydantic template fields: escape them by passing the message as a field.
    context = {"message": message, **({"fix_value": fix_value} if fix_value is not None else {})}
    return InitErrorDetails(type=PydanticCustomError(kind, "{message}", context), loc=loc, input=value)


def preprod_platform_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    """Every Vercel/Railway rule the settings break, located at the key that fixes it."""
    return [*_project_name_problems(settings), *_railway_problems(settings)]


def _project_name_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    if settings.frontend.platform != "vercel":
        return []
    refused = [(index, app.name, why) for index, app in enumerate(settings.frontend.apps)
               if app.name not in settings.frontend.exclude
               and (why := vercel_project_name_problem(settings.vercel_project_name(app.name)))]
    if not refused:
        return []
    if settings.vercel.project_name_prefix is not None or "apps" not in settings.frontend.model_fields_set:
        # One key makes every name: report it once, with a prefix that fits the longest app name.
        prefix = settings.vercel.project_name_prefix or f"{settings.project}-{settings.stack}"
        _index, longest, why = max(refused, key=lambda item: len(item[1]))
        fitting = prefix[: max(1, VERCEL_PROJECT_NAME_MAX - len(longest) - 1)].rstrip("-")
        return [_problem(("vercel", "projectNamePrefix"), prefix,
                         f"prefix {prefix!r} makes the Vercel project name of app {longest!r} (and "
                         f"{len(refused) - 1} more) unusable: {why}; choose a shorter prefix", fix_value=fitting)]
    return [_problem(("frontend", "apps", index, "name"), name, f"this name makes {why}") for index, name, why in refused]


def _railway_problems(settings: "StackSettings") -> list[InitErrorDetails]:
    problems = []
    backend = settings.backend
    limit = RAILWAY_PLAN_MAX_REPLICAS.get(settings.railway.plan)
    if backend.platform == "railway" and limit is not None and backend.railway.num_replicas > limit:
        problems.append(_problem(("backend", "railway", "numReplicas"), backend.railway.num_replicas,
                                 f"Railway's {settings.railway.plan} plan runs at most {limit} replica per service "
                                 f"(got {backend.railway.num_replicas}); set it to {limit}, or set "
                                 "stagecraft:railway.plan to your paid plan (hobby or pro)", fix_value=limit))
    if settings.storage.platform == "railway-volume" and backend.platform != "railway":
        problems.append(_problem(("storage", "platform"), "railway-volume",
                                 "a Railway volume is a folder mounted into a Railway service, so it needs the backend "
                                 "on railway too; put the backend on railway, or use r2 or supabase for storage",
                                 fix_value="r2"))
    if settings.postgres.platform == "railway":
        for key in ("database", "role"):
            if key in settings.postgres.model_fields_set:
                problems.append(_problem(("postgres", key), getattr(settings.postgres, key),
                                         "is not used on railway: Railway's Postgres template makes its own database "
                                         "and user (the connection URI names them); remove the key",
                                         kind="remove_key"))
    return problems
