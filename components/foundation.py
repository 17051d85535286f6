"""Foundation: what belongs to the account or the repository rather than to one environment (DESIGN §9).

- The Neon project (protected: it holds every branch, production's root branch `main` among them) and its root branch,
  looked up so production can work on it and every other Neon-backed stack can take its schema.
- The GitHub repository's environments (production's with required reviewers and `main` as its only deployment
  branch), branch protection (reviews required, no direct or force pushes, admins included), and each
  environment's Actions secrets.

Other stacks read the outputs with a StackReference (`components.stack_reference`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pulumi

from settings.foundation import FoundationSettings, secret_names

if TYPE_CHECKING:
    from components.stack_reference import StackNeed

OUTPUT_SCHEMA_VERSION = 1
"""Version of the foundation's output shape (docs/outputs.md, "The foundation stack")."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "all"


class Foundation(pulumi.ComponentResource):
    """The Neon project and the GitHub repository's delivery gate, environments and secrets."""

    def __init__(self, name: str, settings: FoundationSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:Foundation", name, None, opts)
        self._settings = settings
        self._neon(name, settings)
        self._github(name, settings)
        self.register_outputs({})

    def _neon(self, name: str, settings: FoundationSettings) -> None:
        import pulumi_neon

        from providers.neon.root_branch import RootBranch, RootBranchArgs

        # Every stack's data lives in this project: never deleted by an update, kept even by a destroy.
        self.neon_project = pulumi_neon.resource.Project(
            f"{name}-neon-project", name=settings.neon.project_name, org_id=settings.neon.org_id,
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True))
        self.root_branch = RootBranch(f"{name}-neon-root-branch", RootBranchArgs(project_id=self.neon_project.id),
                                      opts=pulumi.ResourceOptions(parent=self))

    def _github(self, name: str, settings: FoundationSettings) -> None:
        import pulumi_github as github

        repo = settings.github.repository
        provider = github.Provider(f"{name}-github", owner=settings.github.owner,
                                   opts=pulumi.ResourceOptions(parent=self))
        gh = pulumi.ResourceOptions(parent=self, provider=provider)
        lookup = pulumi.InvokeOptions(provider=provider)
        self.environments: dict[str, Any] = {}
        for env_name, env in sorted(settings.github.environments.items()):
            users = [int(github.get_user(username=login, opts=lookup).id) for login in env.reviewers]
            teams = [int(github.get_team(slug=slug, opts=lookup).id) for slug in env.reviewer_teams]
            environment = github.RepositoryEnvironment(
                f"{name}-env-{env_name}", repository=repo, environment=env_name,
                reviewers=[{"users": users, "teams": teams}] if users or teams else None,
                prevent_self_review=env.prevent_self_review, can_admins_bypass=env.can_admins_bypass,
                wait_timer=env.wait_timer,
                # Only the listed branches may deploy here (custom policies); none listed: any branch.
                deployment_branch_policy={"protected_branches": False, "custom_branch_policies": True}
                if env.branches else None,
                opts=gh)
            self.environments[env_name] = environment
            for pattern in env.branches:
                github.RepositoryEnvironmentDeploymentPolicy(
                    f"{name}-env-{env_name}-branch-{_slug(pattern)}", repository=repo,
                    environment=environment.environment, branch_pattern=pattern, opts=gh)
        for pattern, protection in sorted(settings.github.branch_protection.items()):
            github.BranchProtection(
                f"{name}-protect-{_slug(pattern)}", repository_id=repo, pattern=pattern,
                required_pull_request_reviews=[{
                    "required_approving_review_count": protection.approving_reviews,
                    "dismiss_stale_reviews": protection.dismiss_stale_reviews}],
                # Nobody pushes directly, administrators included; history is never rewritten or deleted.
                enforce_admins=True, allows_force_pushes=False, allows_deletions=False, opts=gh)
        for env_name, secrets in sorted(settings.github_secrets.items()):
            for secret_name, value in sorted(secrets.items()):
                github.ActionsEnvironmentSecret(
                    f"{name}-secret-{env_name}-{_slug(secret_name)}", repository=repo,
                    environment=self.environments[env_name].environment, secret_name=secret_name,
                    plaintext_value=pulumi.Output.secret(value), opts=gh)

    def stack_outputs(self) -> dict[str, Any]:
        """What other stacks read (docs/outputs.md, "The foundation stack"); secret values never appear."""
        settings = self._settings
        return {
            "schemaVersion": OUTPUT_SCHEMA_VERSION,
            "stack": settings.stack,
            "environment": settings.environment,
            "neon": {"projectId": self.neon_project.id, "rootBranch": self.root_branch.name,
                     "rootBranchId": self.root_branch.id, "rootEndpointHost": self.root_branch.endpoint_host},
            "github": {"repository": settings.github.full_name,
                       "environments": sorted(settings.github.environments),
                       "protectedBranches": {pattern: p.approving_reviews
                                             for pattern, p in sorted(settings.github.branch_protection.items())},
                       "secrets": secret_names(settings.github_secrets)},
        }


NEON_OUTPUTS = ("neon.projectId", "neon.rootBranchId", "neon.rootEndpointHost")
"""What a Neon-backed stack reads from the foundation."""


def foundation_need(stack: str, foundation_stack: str) -> "StackNeed":
    """How stack `stack` reads its foundation (`stagecraft:foundation.stack`)."""
    from components.stack_reference import StackNeed

    return StackNeed(stack=foundation_stack, key="stagecraft:foundation.stack", outputs=NEON_OUTPUTS,
                     deploy_hint=f"`pulumi up -s {foundation_stack}` makes the Neon project {stack} branches in")
