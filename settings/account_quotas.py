"""Free quotas per account across every stack (DESIGN §7), checked by the preflight before anything is created.

The policy pack sees one stack's resources; a free quota belongs to an account that several stacks share (one free
Koyeb instance per organization, one free Upstash database, Neon's branches per project). So the program adds up
what every stack takes (`settings.accounts.footprint`, from each stack's validated settings: the one place that
knows the defaults): each `Pulumi.<stack>.yaml` in the project, plus the `pr-<n>` stacks that are live in the backend
(`pulumi stack ls`, read only when some stack gives PRs their own backend: shared-backend previews take nothing).
The limits are the policy pack's quota table entries (`policies/limits/*.toml`), so both checks use one set of
numbers. The check runs in previews too, so the PR check refuses an impossible configuration and names the stacks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from settings.accounts import Usage, counted_sections, footprint, part_of
from settings.load import ConfigError, environment_for
from settings.models import StackSettings
from settings.pr_stacks import BASE_VAR, PR_STACK, PrConfigError, derive, stack_files, stagecraft_config
from settings.stack_loader import is_foundation

LIST_TIMEOUT_SECONDS = 60
_FIXES = {
    "koyeb.free-instances": ("koyeb", "or give one of them a paid instance type (backend.koyeb.instanceType)"),
    "upstash.free-databases": ("upstash", "or put one of them on a paid plan (redis.upstash.plan payg)"),
    "render.free-key-value": ("render", "or give one of them a paid Key Value plan (redis.render.plan)"),
    "supabase.free-projects": ("supabase", "or move one organization to a paid plan (supabase.plan)"),
    "neon.branches-per-project": ("neon", "or close PR stacks that have their own backend (prStacks.backend shared)"),
    "neon.root-branches-per-project": ("neon", "or move a stack's database off neon"),
    "cloudflare.pages-projects": ("cloudflare", "or exclude apps (frontend.exclude)"),
}


def stacks_from_files(project: str, project_root: Path, environ: Mapping[str, str],
                      names: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """What each named stack's config says about the sections a footprint reads (a PR's derived from its base), and
    why any could not be read. The foundation and stacks without config are skipped."""
    loaded: dict[str, Any] = {}
    problems: list[str] = []
    # Each other PR's own base (the workflow's variable names only the current PR's).
    others_environ = {k: v for k, v in environ.items() if k != BASE_VAR}
    for name in names:
        path = project_root / f"Pulumi.{name}.yaml"
        try:
            raw = stagecraft_config(path, secure="skip") if path.is_file() else {}
            if is_foundation(name, raw) or (not raw and not PR_STACK.match(name)):
                continue
            if PR_STACK.match(name):
                raw = derive(name, raw, project_root, others_environ)
            loaded[name] = counted_sections(name, environment_for(name, raw.get("environment")), raw)
        except (ConfigError, PrConfigError) as exc:
            detail = " ".join(line.strip() for line in str(exc).splitlines()[:3])
            problems.append(f"stack {name!r} cannot be counted against the shared free quotas: {detail}")
    return loaded, problems


def live_stacks(project_root: Path, environ: Mapping[str, str]) -> list[str]:
    """The project's stacks in the backend (`pulumi stack ls --json`, the engine on PATH)."""
    program = shutil.which("pulumi", path=environ.get("PATH"))
    if program is None:
        raise ConfigError("the cross-stack quota check lists the live pr-<n> stacks with `pulumi stack ls`, and no "
                          "pulumi is on PATH. Fix: run through the pulumi CLI (or `. bootstrap/env.sh`).")
    done = subprocess.run([program, "stack", "ls", "--json", "--non-interactive"], cwd=project_root, env=dict(environ),
                          capture_output=True, text=True, timeout=LIST_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise ConfigError(f"`pulumi stack ls --json` failed ({done.stderr.strip().splitlines()[-1:] or '?'}), so the "
                          "live pr-<n> stacks cannot be counted against the shared free quotas. Nothing was changed.")
    return [str(entry["name"]).split("/")[-1] for entry in json.loads(done.stdout or "[]") if entry.get("name")]


def quota_problems(current: StackSettings, others: Mapping[str, Any]) -> list[str]:
    """A message per free quota of an account `current` uses that all the stacks together exceed."""
    from policies.stagecraft_guard.catalog import default_catalog

    catalog = default_catalog()
    users: dict[tuple[str, str], list[tuple[str, Usage]]] = defaultdict(list)
    stacks = {**{name: s for name, s in others.items() if name != current.stack}, current.stack: current}
    for name, settings in sorted(stacks.items()):
        for usage in footprint(settings):
            users[(usage.quota, usage.account)].append((name, usage))
    problems = []
    for (quota_id, account), used in sorted(users.items()):
        quota = catalog.quota(quota_id)
        if quota is None or current.stack not in {name for name, _ in used}:
            continue
        total = sum(u.amount for _, u in used) + quota.already_used
        if total <= quota.limit:
            continue
        platform, alternative = _FIXES.get(quota_id, (quota_id.split(".")[0], ""))
        who = ", ".join(f"{name} ({u.what})" for name, u in used)
        already = f" plus {quota.already_used:g} the platform itself takes" if quota.already_used else ""
        problems.append(
            f"stagecraft:accounts.{platform}: the {platform} account {account.split(':', 1)[1]!r} has "
            f"{quota.limit:g} {quota.unit} [{quota.id}; {quota.cite()}], and these stacks would use {total:g}: "
            f"{who}{already}. Fix: give one of them another account "
            f"(`pulumi config set --path 'stagecraft:accounts.{platform}' '<label>' -s {current.stack}`, with that account's "
            f"credentials in its environment), {alternative}. Nothing was changed.")
    return problems


def cross_stack_problems(settings: StackSettings, project_root: Path, environ: Mapping[str, str],
                         list_stacks: Callable[[], list[str]] | None = None) -> list[str]:
    """What the preflight reports: the shared free quotas `settings` would help exceed, every stack counted."""
    names = [name for name in stack_files(project_root) if name != settings.stack and not PR_STACK.match(name)]
    others, problems = stacks_from_files(settings.project, project_root, environ, names)
    everyone = [settings, *others.values()]
    if any(getattr(part_of(s, "pr_stacks"), "backend", None) == "own" for s in everyone):
        try:
            live = (list_stacks or (lambda: live_stacks(project_root, environ)))()
        except ConfigError as exc:
            return [str(exc)]
        prs = [name for name in live if PR_STACK.match(name) and name != settings.stack]
        live_prs, pr_problems = stacks_from_files(settings.project, project_root, environ, prs)
        others.update(live_prs)
        problems += pr_problems
    return problems + quota_problems(settings, others)
