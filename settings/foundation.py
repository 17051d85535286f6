"""Settings of the `foundation` stack (DESIGN §9): what belongs to the account or the repository, not to one environment.

The Neon project every Neon-backed stack branches in (its root branch `main` is production's database), and the
GitHub repository's environments, branch protection and per-environment Actions secrets. Values GitHub or Neon would
refuse are refused here, naming the key (DESIGN §3). The secrets themselves arrive as one Pulumi secret,
`stagecraft:githubSecrets` (environment -> name -> value); a plain one is refused.
"""

from __future__ import annotations

import re
from typing import Mapping

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from settings.fixes import key_of, placeholder, rm_command, set_command
from settings.located import located, located_error
from settings.model_config import SETTINGS_MODEL

_MODEL = SETTINGS_MODEL

FOUNDATION_STACK = "foundation"
"""The stack name that is a foundation by name (`stagecraft:kind: foundation` makes any other name one)."""
GITHUB_LOGIN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
"""A GitHub user or organisation login: 1-39 letters, digits or inner hyphens (GitHub's sign-up rule)."""
GITHUB_REPOSITORY_NAME = r"^[A-Za-z0-9._-]{1,100}$"
GITHUB_TEAM_SLUG = r"^[a-z0-9][a-z0-9_-]*$"
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""GitHub's rule for Actions secret names: letters, digits and underscores, not starting with a digit, and never
starting with `GITHUB_` (docs.github.com, "Naming your secrets")."""
MAX_REVIEWERS = 6
"""GitHub takes at most six users or teams as required reviewers of an environment (platform-apis.md §10)."""
MAX_APPROVING_REVIEWS = 6
"""`required_approving_review_count` is 0-6 (pulumi-github 6.3.1, platform-apis.md §8)."""
MAX_WAIT_TIMER_MINUTES = 43200
PRODUCTION_ENVIRONMENT = "production"
GATED_BRANCH = "main"
MIN_GATED_REVIEWS = 2
"""DESIGN §1: production deploys from `main`, which needs two approving reviews (the policy pack's production-gate)."""


class _Settings(BaseModel):
    model_config = _MODEL


class NeonProjectSettings(_Settings):
    """The one Neon project of the account: production's root branch `main`, and every other stack's branch."""

    project_name: str = Field(default="stagecraft", min_length=1, max_length=64,
                              description="Neon project name (Neon's project names are at most 64 characters).")
    org_id: str | None = Field(default=None, pattern=r"^org-[a-z0-9-]+$",
                               description="Neon organization id (org-...), when the API key spans several.")


class GitHubEnvironmentSettings(_Settings):
    """One GitHub environment of the repository."""

    reviewers: tuple[str, ...] = Field(default=(), description="GitHub logins whose approval a job of this "
                                                               "environment waits for.")
    reviewer_teams: tuple[str, ...] = Field(default=(), description="Team slugs (of the owner organisation) whose "
                                                                    "approval a job of this environment waits for.")
    prevent_self_review: bool = Field(default=True, description="The person who started the run may not approve it.")
    can_admins_bypass: bool = Field(default=False, description="Administrators may deploy without the reviewers.")
    wait_timer: int = Field(default=0, ge=0, le=MAX_WAIT_TIMER_MINUTES,
                            description="Minutes a job waits after approval before it starts.")
    branches: tuple[str, ...] = Field(default=(), description="Branch patterns allowed to deploy to this "
                                                              "environment; empty: any branch.")

    @model_validator(mode="after")
    def _logins_and_slugs(self) -> GitHubEnvironmentSettings:
        """Each bad entry at its own index, so its fix replaces that one and keeps the others (and the gate)."""
        problems = [located(("reviewers", index), login, f"{login!r} is not a GitHub login (1-39 letters, digits or "
                            "inner hyphens)", fix_value=placeholder_login())
                    for index, login in enumerate(self.reviewers) if not re.match(GITHUB_LOGIN, login)]
        problems += [located(("reviewerTeams", index), slug, f"{slug!r} is not a team slug (lower-case letters, "
                             "digits, - and _, as in github.com/orgs/<org>/teams/<slug>)",
                             fix_value=placeholder("team slug"))
                     for index, slug in enumerate(self.reviewer_teams) if not re.match(GITHUB_TEAM_SLUG, slug)]
        if problems:
            raise located_error("GitHubEnvironmentSettings", problems)
        return self

    @model_validator(mode="after")
    def _at_most_six_reviewers(self) -> GitHubEnvironmentSettings:
        extra = len(self.reviewers) + len(self.reviewer_teams) - MAX_REVIEWERS
        if extra <= 0:
            return self
        # One problem per reviewer over the limit, the last ones first (users, then teams): each fix removes one.
        over = [("reviewers", i) for i in reversed(range(len(self.reviewers)))]
        over += [("reviewerTeams", i) for i in reversed(range(len(self.reviewer_teams)))]
        message = f"an environment takes at most {MAX_REVIEWERS} reviewers (users and teams together)"
        raise located_error("GitHubEnvironmentSettings", [
            located(loc, None, f"{message}; this one is over the limit", kind="remove_key") for loc in over[:extra]])


class BranchProtectionSettings(_Settings):
    """Protection of one branch: changes land only through reviewed pull requests."""

    approving_reviews: int = Field(ge=1, le=MAX_APPROVING_REVIEWS,
                                   description="Approving reviews a pull request needs before it can merge.")
    dismiss_stale_reviews: bool = Field(default=True, description="A new push dismisses earlier approvals.")


def _default_environments() -> dict[str, GitHubEnvironmentSettings]:
    """The environments the workflows use (.github/workflows, docs/delivery.md)."""
    deployed = {"uat": ("develop",), "beta": ("staging",), "preprod": ("release",), PRODUCTION_ENVIRONMENT: ("main",)}
    environments = {name: GitHubEnvironmentSettings(branches=branches) for name, branches in deployed.items()}
    environments.update({f"preview-{name}": GitHubEnvironmentSettings() for name in deployed})
    environments["pr-stacks"] = GitHubEnvironmentSettings()
    return environments


def _default_protection() -> dict[str, BranchProtectionSettings]:
    return {GATED_BRANCH: BranchProtectionSettings(approving_reviews=2),
            "develop": BranchProtectionSettings(approving_reviews=1)}


def placeholder_login() -> str:
    """What the fix of a missing reviewer asks for."""
    return "'<reviewer login>'"


def _merged(defaults: Mapping[str, BaseModel], configured: object) -> object:
    if not isinstance(configured, Mapping):
        return configured
    merged: dict[str, object] = {name: model.model_dump(by_alias=True) for name, model in defaults.items()}
    for name, value in configured.items():
        base = merged.get(name)
        merged[name] = {**base, **value} if isinstance(base, dict) and isinstance(value, Mapping) else value
    return merged


class GitHubSettings(_Settings):
    """The repository the workflows run in, and what the foundation sets up in it."""

    owner: str = Field(pattern=GITHUB_LOGIN, description="Owner of the repository (user or organisation login).")
    repository: str = Field(pattern=GITHUB_REPOSITORY_NAME, description="Repository name (without the owner).")
    environments: dict[str, GitHubEnvironmentSettings] = Field(
        default_factory=_default_environments,
        description="Environments by name (default: uat, beta, preprod, production, their preview-<stack> "
                    "environments and pr-stacks, the ones the workflows use).")
    branch_protection: dict[str, BranchProtectionSettings] = Field(
        default_factory=_default_protection,
        description="Protected branches by pattern (default: main needs 2 approving reviews, develop 1).")

    @field_validator("environments", mode="before")
    @classmethod
    def _over_the_default_environments(cls, value: object) -> object:
        """Configured environments add to (and, key by key, override) the defaults, so setting production's
        reviewers keeps its branch and every other environment."""
        return _merged(_default_environments(), value)

    @field_validator("branch_protection", mode="before")
    @classmethod
    def _over_the_default_protection(cls, value: object) -> object:
        return _merged(_default_protection(), value)

    @field_validator("environments")
    @classmethod
    def _environment_names(cls, value: dict[str, GitHubEnvironmentSettings]) -> dict[str, GitHubEnvironmentSettings]:
        for name in value:
            if not re.match(r"^[A-Za-z0-9._-]{1,255}$", name):
                raise PydanticCustomError("value_error", "'{name}' is not an environment name (letters, digits, "
                                                         ". _ -; at most 255)", {"name": name})
        return value

    @model_validator(mode="after")
    def _production_is_gated(self) -> GitHubSettings:
        production = self.environments.get(PRODUCTION_ENVIRONMENT)
        problems = []
        if production is None:
            problems.append(located(("environments", PRODUCTION_ENVIRONMENT), None,
                                "must exist: its reviewers gate every production deploy (a workflow naming a missing "
                                "environment creates it without protection)"))
        elif not production.reviewers and not production.reviewer_teams:
            problems.append(located(("environments", PRODUCTION_ENVIRONMENT, "reviewers", 0), None,
                                "production needs at least one reviewer (reviewers or reviewerTeams): without one a "
                                "production deploy job starts unapproved", fix_value=placeholder_login()))
        if production is not None and production.branches != (GATED_BRANCH,):
            # `config set --path` stores '["main"]' as text, not a list: the fix writes the list item by item.
            key = key_of(("github", "environments", PRODUCTION_ENVIRONMENT, "branches"))
            problems.append(located(("environments", PRODUCTION_ENVIRONMENT, "branches"), list(production.branches),
                                f"must be exactly [{GATED_BRANCH!r}]: production deploys from {GATED_BRANCH} only",
                                fix_command=f"{rm_command(key, '{stack}')} && "
                                            f"{set_command(f'{key}[0]', GATED_BRANCH, '{stack}')}"))
        gated = self.branch_protection.get(GATED_BRANCH)
        if gated is None or gated.approving_reviews < MIN_GATED_REVIEWS:
            problems.append(located(("branchProtection", GATED_BRANCH, "approvingReviews"),
                                gated.approving_reviews if gated else None,
                                f"approvingReviews must be at least {MIN_GATED_REVIEWS} on {GATED_BRANCH} (DESIGN §1: "
                                "production's branch needs two reviews)", fix_value=MIN_GATED_REVIEWS))
        if problems:
            raise located_error("GitHubSettings", problems)
        return self

    @property
    def full_name(self) -> str:
        """`owner/repository`."""
        return f"{self.owner}/{self.repository}"


class FoundationSettings(_Settings):
    """Everything the `foundation` stack manages. Built once by `settings.stack_loader`, then handed to the
    Foundation component."""

    project: str = Field(description="Pulumi project name (from the engine, not config).")
    stack: str = Field(description="Pulumi stack name (from the engine, not config).")
    kind: str = Field(default="foundation", pattern=r"^foundation$", description="What this stack is: `foundation`.")
    neon: NeonProjectSettings = Field(default_factory=NeonProjectSettings, description="The shared Neon project.")
    github: GitHubSettings = Field(description="The repository's environments, protection and secrets.")
    github_secrets: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Actions secrets per environment (environment -> secret name -> value), set as one Pulumi "
                    "secret: `pulumi config set --secret --path 'stagecraft:githubSecrets.<environment>.<NAME>' "
                    "<value> -s foundation`.")

    @model_validator(mode="after")
    def _secrets_name_known_environments(self) -> FoundationSettings:
        # Each problem is fixed by removing the key: a fix never prints or rewrites a secret's value.
        problems = []
        for environment, secrets in self.github_secrets.items():
            if environment not in self.github.environments:
                problems.append(located(("githubSecrets", environment), None, f"no such environment in "
                                        f"github.environments ({', '.join(sorted(self.github.environments))}); remove "
                                        "these secrets, or add the environment there", kind="remove_key"))
                continue
            for name in secrets:
                if not SECRET_NAME.match(name) or name.upper().startswith("GITHUB_"):
                    problems.append(located(("githubSecrets", environment, name), None, "not an Actions secret name "
                                            "(letters, digits and _, not starting with a digit or GITHUB_); remove "
                                            "it and set the value again under a name GitHub takes",
                                            kind="remove_key"))
        if problems:
            raise located_error("FoundationSettings", problems)
        return self

    @property
    def runs_offline(self) -> bool:
        """Never: the foundation manages GitHub and Neon."""
        return False

    @property
    def environment(self) -> str:
        """The foundation belongs to no environment; named so for messages and outputs."""
        return FOUNDATION_STACK


def secret_names(secrets: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Environment -> the names of its secrets (what outputs and messages may show)."""
    return {environment: sorted(values) for environment, values in secrets.items()}


class FoundationReference(_Settings):
    """Where a product stack finds the foundation's outputs (the Neon project it branches in)."""

    stack: str = Field(default=FOUNDATION_STACK, pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+){0,2}$",
                       description="The foundation stack, read with a StackReference: its name in this project, "
                                   "or `<org>/<project>/<stack>`.")
