"""Which platform account each stack's credentials belong to, and what it takes from that account's free quotas.

Free tiers are per account, not per stack (DESIGN §1): Koyeb gives one free instance per organization, Upstash one
free database, Neon one project with a branch quota. `stagecraft:accounts` names the account of each platform (any
label; stacks with the same label share it; default `default`, i.e. every stack in the same account). `footprint`
says what one stack's settings take from those accounts, counted in the policy pack's quota ids
(`policies/limits/*.toml`), so the cross-stack check (`settings.account_quotas`) compares them with the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from settings.model_config import SETTINGS_MODEL
from settings.pr_stacks import pr_number

if TYPE_CHECKING:
    from settings.models import StackSettings

_MODEL = SETTINGS_MODEL
DEFAULT_ACCOUNT = "default"
_LABEL = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"


class AccountsSettings(BaseModel):
    """The account of each platform whose free quotas span stacks (a label: equal labels are the same account)."""

    model_config = _MODEL

    koyeb: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL, description="Koyeb organization of KOYEB_TOKEN.")
    upstash: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL, description="Upstash account of UPSTASH_EMAIL.")
    neon: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL, description="Neon account of NEON_API_KEY.")
    supabase: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL,
                          description="Supabase organization of SUPABASE_ACCESS_TOKEN.")
    render: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL, description="Render workspace of RENDER_API_KEY.")
    cloudflare: str = Field(default=DEFAULT_ACCOUNT, pattern=_LABEL,
                            description="Cloudflare account (also told apart by cloudflare.accountId).")


@dataclass(frozen=True)
class Usage:
    """One thing a stack takes from an account's free quota."""

    quota: str
    """The policy pack's quota id (`koyeb.free-instances`, ...)."""
    account: str
    """`<platform>:<label>` (plus the Cloudflare account id or Neon project, where those tell accounts apart)."""
    amount: int
    what: str
    """What it is, for messages (`the backend (Koyeb instance type free)`)."""


def footprint(settings: "StackSettings | Any") -> list[Usage]:
    """What `settings` takes from free quotas that other stacks may share. A PR stack that shares its base's backend
    takes nothing: its previews live in the base's projects. `settings` may be partial (another stack whose config is
    incomplete here, e.g. without its account-specific values): a section that did not validate counts nothing."""
    stack = str(part_of(settings, "stack", ""))
    accounts = part_of(settings, "accounts") or AccountsSettings()
    pr_stacks = part_of(settings, "pr_stacks")
    pr = pr_number(stack) is not None
    own_backend = not pr or (pr_stacks is not None and pr_stacks.backend == "own")
    backend, redis, postgres = part_of(settings, "backend"), part_of(settings, "redis"), part_of(settings, "postgres")
    storage, supabase, frontend = part_of(settings, "storage"), part_of(settings, "supabase"), part_of(settings, "frontend")
    cloudflare, foundation = part_of(settings, "cloudflare"), part_of(settings, "foundation")
    used: list[Usage] = []
    if own_backend and backend and backend.platform == "koyeb" and backend.koyeb.instance_type == "free":
        used.append(Usage("koyeb.free-instances", f"koyeb:{accounts.koyeb}", 1, "the backend (Koyeb, instance type free)"))
    if not pr and redis and redis.platform == "upstash" and redis.upstash.plan == "free":
        used.append(Usage("upstash.free-databases", f"upstash:{accounts.upstash}", 1, "the cache (Upstash, plan free)"))
    if not pr and redis and redis.platform == "render" and redis.render.plan == "free":
        used.append(Usage("render.free-key-value", f"render:{accounts.render}", 1, "the cache (Render Key Value, free)"))
    if not pr and supabase is not None and supabase.plan == "free" and "supabase" in (
            getattr(postgres, "platform", None), getattr(storage, "platform", None)):
        used.append(Usage("supabase.free-projects", f"supabase:{accounts.supabase}", 1, "the Supabase project (free)"))
    if postgres and postgres.platform == "neon" and own_backend and part_of(settings, "environment") != "production":
        project = f"neon:{accounts.neon}/{foundation.stack if foundation else 'foundation'}"
        used.append(Usage("neon.branches-per-project", project, 1,
                          "a Neon branch forked from its base's" if pr else "its Neon branch"))
        if not pr:
            used.append(Usage("neon.root-branches-per-project", project, 1, "its schema-only Neon branch (a root branch)"))
    if not pr and frontend and frontend.platform == "cloudflare-pages" and cloudflare is not None:
        used.append(Usage("cloudflare.pages-projects", f"cloudflare:{accounts.cloudflare}/{cloudflare.account_id}",
                          len(frontend.deployed_apps), "its Pages projects"))
    return used


COUNTED_SECTIONS = ("backend", "redis", "postgres", "storage", "supabase", "frontend", "cloudflare", "accounts",
                    "pr_stacks", "foundation")
"""The parts of a stack's settings its footprint reads."""


def counted_sections(stack: str, environment: str, raw: Mapping[str, Any]) -> SimpleNamespace:
    """The sections `footprint` reads, each validated on its own (None when it does not validate): another stack's
    committed config often lacks account-specific values that do not change what it takes from a quota."""
    from settings.models import StackSettings

    parts: dict[str, Any] = {"stack": stack, "environment": environment}
    for name in COUNTED_SECTIONS:
        field = StackSettings.model_fields[name]
        key = field.alias or name
        value = raw.get(key)
        if name == "backend" and isinstance(value, Mapping) and not value.get("image"):
            # The image is set per team and takes nothing from a quota; the instance type and plan are what count.
            value = {**value, "image": "image-not-set-here"}
        try:
            parts[name] = TypeAdapter(field.annotation).validate_python(value) if key in raw \
                else field.get_default(call_default_factory=True)
        except ValidationError:
            parts[name] = None
    return SimpleNamespace(**parts)


def part_of(settings: Any, name: str, default: Any = None) -> Any:
    """`settings.<name>`, or `default` when `settings` is partial and that part did not validate."""
    try:
        return getattr(settings, name)
    except Exception:  # a partial settings object raises its own error for a part that did not validate
        return default
