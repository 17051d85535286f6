"""FrontendSite: one static web app, served by its stack's hosting platform from the build made for this stack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components.frontend_builds import build_values
from components.settings_values import require_settings
from providers.local.env_file import EnvFile, EnvFileArgs
from settings.inventory import FrontendApp


@dataclass(frozen=True)
class FrontendSiteArgs:
    """What a frontend needs: the app, where it runs, its values and (when the platform serves files) its build."""

    app: FrontendApp
    """The inventory entry (name, source folder, variant, dev port, build settings)."""
    platform: str
    """`cloudflare-pages`, `netlify`, `vercel` or `local`."""
    physical_name: str
    """`<project>-<stack>-<app>`: the platform project's name."""
    api_url: pulumi.Input[str]
    """Backend URL the app talks to (VITE_API_URL)."""
    environment: str
    """ENVIRONMENT of the stack (VITE_ENVIRONMENT)."""
    production_branch: str | None = None
    """Git branch the platform deploys as production (platforms that serve files; from the settings)."""
    deploy_branch: str | None = None
    """Branch this stack deploys as (default: the production branch; a PR stack deploys `pr-<n>` as a preview)."""
    existing_project: pulumi.Input[str] | None = None
    """Deploy onto this existing platform project (a PR stack uses its base stack's) instead of creating one."""
    artifact_dir: pulumi.Input[str] | None = None
    """Folder of the built site (from FrontendBuilds; platforms that serve files)."""
    artifact_digest: pulumi.Input[str] | None = None
    """Digest of the built files: a new deployment is made only when it changes."""
    deploy_after: Sequence[pulumi.Resource] = ()
    """Resources every upload waits for (all the stack's builds: a failed build uploads nothing)."""
    cloudflare_account_id: str | None = None
    """Cloudflare account (platform `cloudflare-pages`)."""
    owner: str = ""
    """The stack that owns the site, `<project>/<stack>` (platform `netlify`: the site's marker)."""
    netlify_team: str | None = None
    """Netlify team slug the site is made in (platform `netlify`; None: the token owner's team)."""
    project_root: str | None = None
    """Absolute folder of the Pulumi project: where the Vercel deployment reads the build from (platform `vercel`)."""
    vercel_provider: pulumi.ProviderResource | None = None
    """The stack's `vercel.Provider` when a team is configured (platform `vercel`; None: the default provider)."""
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Values the platform project keeps as secrets (Vercel: `sensitive` variables). A static build publishes every
    value it is built with, so the build values themselves are never secret."""
    netlify_plan: str | None = None
    """The Netlify team's plan (platform `netlify`, from the settings), stated on the site for the policy pack."""
    env_file_path: str | None = None
    """Absolute path of the app's dotenv file (platform `local`)."""
    local_host: str | None = None
    """Host of the app's dev server (platform `local`, from the settings)."""

    def build_env(self) -> dict[str, pulumi.Input[str]]:
        """Variables the app's build and dev server read."""
        return build_values(self.app, self.api_url, self.environment)


class FrontendSite(pulumi.ComponentResource):
    """A static frontend served by its platform from this stack's build, or its local dev server's env file."""

    url: pulumi.Output[str]
    """Public URL of the site (a PR stack: its preview alias)."""
    platform: pulumi.Output[str]
    """Platform the site runs on."""
    project_id: pulumi.Output[str]
    """Platform project id (the app name on `local`)."""
    deployment_id: pulumi.Output[str]
    """The platform's id of the deployment serving this stack's build (empty on `local`)."""

    def __init__(self, name: str, args: FrontendSiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:FrontendSite", name, None, opts)
        builders = {"cloudflare-pages": self._cloudflare_pages, "netlify": self._netlify, "vercel": self._vercel,
                    "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"FrontendSite {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        creates_site = args.existing_project is None
        require_settings(f"FrontendSite {name}", args, {
            "local": ("local_host",), "netlify": ("production_branch", *(("netlify_plan",) if creates_site else ())),
            "vercel": ("production_branch",), "cloudflare-pages": ("production_branch",)}.get(args.platform, ()))
        url, project_id, deployment_id = builders[args.platform](name, args)
        self.url = pulumi.Output.from_input(url)
        self.platform = pulumi.Output.from_input(args.platform)
        self.project_id = pulumi.Output.from_input(project_id)
        self.deployment_id = pulumi.Output.from_input(deployment_id)
        # No register_outputs here, unlike the stack's single components: a stack has one FrontendSite per app,
        # and the 3.79 engine rewrites the whole state file on every RegisterResourceOutputs, changed or not
        # (pkg/backend/snapshot.go), which made a no-op `up` quadratic in the number of apps. These outputs
        # reach apps and tools through the stack outputs (`apps.<name>`), not through the component's state.

    def _local(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], ...]:
        if not args.env_file_path:
            raise ValueError(f"FrontendSite {name}: platform 'local' needs env_file_path")
        EnvFile(f"{name}-env", EnvFileArgs(path=args.env_file_path, values=args.build_env()),
                opts=pulumi.ResourceOptions(parent=self))
        return f"http://{args.local_host}:{args.app.dev_port}", args.app.name, ""

    def _netlify(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], ...]:
        from providers.netlify.deploy import Deploy, DeployArgs
        from providers.netlify.site import Site, SiteArgs

        if args.artifact_dir is None or args.artifact_digest is None:
            raise ValueError(f"FrontendSite {name}: platform 'netlify' needs the app's build (artifact_dir, "
                             f"artifact_digest)")
        preview = args.deploy_branch not in (None, args.production_branch)
        if args.existing_project:
            site_id: pulumi.Input[str] = args.existing_project
        else:
            # A site with no repository: Netlify builds nothing and serves what the deploy uploads (FrontendBuilds
            # baked the stack's values in).
            site = Site(f"{name}-site", SiteArgs(name=args.physical_name, owner=args.owner,
                                                 account_slug=args.netlify_team, plan=args.netlify_plan),
                        opts=pulumi.ResourceOptions(parent=self))
            site_id = site.id
        # A preview is an alias deploy (<alias>--<site>): the site keeps serving its published deploy.
        deploy = Deploy(f"{name}-deploy", DeployArgs(site_id=site_id, directory=args.artifact_dir,
                                                     content_digest=args.artifact_digest,
                                                     alias=args.deploy_branch if preview else None),
                        opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.deploy_after)))
        return (deploy.deploy_url if preview else site.url), site_id, deploy.id

    def _vercel(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], ...]:
        import pulumiverse_vercel as vercel

        from providers.vercel.prebuilt_output import PrebuiltOutput, PrebuiltOutputArgs

        if args.artifact_dir is None or args.artifact_digest is None or not args.project_root:
            raise ValueError(f"FrontendSite {name}: platform 'vercel' needs the app's build (artifact_dir, "
                             f"artifact_digest) and project_root")
        child = pulumi.ResourceOptions(parent=self, provider=args.vercel_provider)
        waits: list[pulumi.Resource] = list(args.deploy_after)
        if args.existing_project:
            project_id: pulumi.Input[str] = args.existing_project
        else:
            # No git repository: Vercel builds nothing and serves the prebuilt output the deployment uploads.
            project = vercel.Project(f"{name}-project", name=args.physical_name, opts=child)
            project_id = project.id
            # The build values ride along on the project (what `vercel env pull` gives a developer); the build
            # itself already baked them in. Secrets only ever reach Vercel as sensitive variables.
            variables = [{"key": key, "value": value, "targets": list(VERCEL_TARGETS), "sensitive": False}
                         for key, value in sorted(args.build_env().items())]
            variables += [{"key": key, "value": pulumi.Output.secret(value), "targets": list(VERCEL_TARGETS),
                           "sensitive": True} for key, value in sorted(args.secret_env.items())]
            waits.append(vercel.ProjectEnvironmentVariables(f"{name}-env", project_id=project.id,
                                                            variables=variables, opts=child))
        output = PrebuiltOutput(f"{name}-output", PrebuiltOutputArgs(
            app=args.app.name, artifact_dir=args.artifact_dir, artifact_digest=args.artifact_digest,
            root=args.project_root), opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.deploy_after)))
        production = args.deploy_branch in (None, args.production_branch)
        # `files` and `path_prefix` force a new deployment when they change, and both follow the artifact digest.
        deployment = vercel.Deployment(f"{name}-deployment", project_id=project_id, files=output.files,
                                       path_prefix=output.path, production=production,
                                       opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                                           depends_on=waits)))
        if production:
            url: pulumi.Input[str] = pulumi.Output.all(deployment.domains, deployment.url).apply(
                lambda parts: vercel_site_url(args.physical_name, parts[0], parts[1], production=True))
        else:
            # A preview under a stable per-branch alias (<project name>.vercel.app of this stack's naming, e.g.
            # stagecraft-pr-7-shop), besides its deployment's own URL.
            alias = vercel.Alias(f"{name}-alias", alias=f"{args.physical_name}.vercel.app",
                                 deployment_id=deployment.id, opts=child)
            url = alias.alias.apply(lambda host: f"https://{host}")
        return url, project_id, deployment.id

    def _cloudflare_pages(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], ...]:
        from providers.cloudflare.pages_deployment import PagesDeployment, PagesDeploymentArgs

        account = args.cloudflare_account_id
        if not account or args.artifact_dir is None or args.artifact_digest is None:
            raise ValueError(f"FrontendSite {name}: platform 'cloudflare-pages' needs cloudflare_account_id and "
                             f"the app's build (artifact_dir, artifact_digest)")
        if args.existing_project:
            project_name: pulumi.Input[str] = args.existing_project
            project_id: pulumi.Input[str] = args.existing_project
        else:
            import pulumi_cloudflare as cloudflare

            # A Direct Upload project (no `source`): Cloudflare serves what we upload and builds nothing itself.
            # Its environment variables would reach only Pages Functions, so the build's values are baked in by
            # FrontendBuilds instead.
            project = cloudflare.PagesProject(f"{name}-pages", account_id=account, name=args.physical_name,
                                              production_branch=args.production_branch,
                                              opts=pulumi.ResourceOptions(parent=self))
            project_name, project_id = project.name, project.id
        deployment = PagesDeployment(f"{name}-deployment", PagesDeploymentArgs(
            account_id=account, project_name=project_name, branch=args.deploy_branch or args.production_branch,
            directory=args.artifact_dir, content_digest=args.artifact_digest,
        ), opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.deploy_after)))
        return deployment.alias_url, project_id, deployment.deployment_id


VERCEL_TARGETS = ("production", "preview")
"""Vercel environments the project's variables apply to (development is a developer's own machine)."""


def vercel_site_url(project_name: str, domains: Sequence[str] | None, deployment_url: str | None, *,
                    production: bool) -> str:
    """The URL a production deployment is served at: the project's own `<name>.vercel.app` alias when Vercel
    assigned it (it may be taken by another account), else its first alias; a preview: its deployment URL."""
    aliases = [d for d in domains or [] if d]
    if production and aliases:
        own = f"{project_name}.vercel.app"
        return f"https://{own if own in aliases else aliases[0]}"
    return f"https://{deployment_url}" if deployment_url else ""
