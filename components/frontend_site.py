"""FrontendSite: one static web app, built with the backend URL, on its stack's hosting platform."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from providers.local.env_file import EnvFile, EnvFileArgs
from settings.inventory import FrontendApp


@dataclass(frozen=True)
class FrontendSiteArgs:
    """What a frontend needs: the app, where it runs, and the backend URL it is built with."""

    app: FrontendApp
    """The inventory entry (name, source folder, variant, dev port, build settings)."""
    platform: str
    """`cloudflare-pages` or `local`."""
    physical_name: str
    """`<project>-<stack>-<app>`: the platform project's name."""
    api_url: pulumi.Input[str]
    """Backend URL, given to the build as VITE_API_URL."""
    environment: str
    """ENVIRONMENT of the stack, given to the build as VITE_ENVIRONMENT."""
    production_branch: str = "main"
    """Git branch the platform deploys as production."""
    cloudflare_account_id: str | None = None
    """Cloudflare account (platform `cloudflare-pages`)."""
    env_file_path: str | None = None
    """Absolute path of the app's dotenv file (platform `local`)."""
    local_host: str = "localhost"
    """Host of the app's dev server (platform `local`)."""

    def build_env(self) -> dict[str, pulumi.Input[str]]:
        """Variables the Vite build reads."""
        env: dict[str, pulumi.Input[str]] = {"VITE_API_URL": self.api_url, "VITE_ENVIRONMENT": self.environment}
        if self.app.variant:
            env["VITE_VARIANT"] = self.app.variant
        return env


class FrontendSite(pulumi.ComponentResource):
    """A static frontend on Cloudflare Pages, or its local dev server's env file."""

    url: pulumi.Output[str]
    """Public URL of the site."""
    platform: pulumi.Output[str]
    """Platform the site runs on."""
    project_id: pulumi.Output[str]
    """Platform project id (the app name on `local`)."""

    def __init__(self, name: str, args: FrontendSiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:FrontendSite", name, None, opts)
        builders = {"cloudflare-pages": self._cloudflare_pages, "local": self._local}
        if args.platform not in builders:
            raise ValueError(f"FrontendSite {name}: platform {args.platform!r} is not one of {sorted(builders)}")
        url, project_id = builders[args.platform](name, args)
        self.url = pulumi.Output.from_input(url)
        self.platform = pulumi.Output.from_input(args.platform)
        self.project_id = pulumi.Output.from_input(project_id)
        self.register_outputs({"url": self.url, "platform": self.platform, "project_id": self.project_id})

    def _local(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        if not args.env_file_path:
            raise ValueError(f"FrontendSite {name}: platform 'local' needs env_file_path")
        EnvFile(f"{name}-env", EnvFileArgs(path=args.env_file_path, values=args.build_env()),
                opts=pulumi.ResourceOptions(parent=self))
        return f"http://{args.local_host}:{args.app.dev_port}", args.app.name

    def _cloudflare_pages(self, name: str, args: FrontendSiteArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        import pulumi_cloudflare as cloudflare

        if not args.cloudflare_account_id:
            raise ValueError(f"FrontendSite {name}: platform 'cloudflare-pages' needs cloudflare_account_id")
        env = args.build_env()
        project = cloudflare.PagesProject(
            f"{name}-pages",
            account_id=args.cloudflare_account_id,
            name=args.physical_name,
            production_branch=args.production_branch,
            build_config=cloudflare.PagesProjectBuildConfigArgs(
                build_command=args.app.build_command,
                destination_dir=args.app.output_directory,
                root_dir=args.app.source,
            ),
            deployment_configs=cloudflare.PagesProjectDeploymentConfigsArgs(
                production=cloudflare.PagesProjectDeploymentConfigsProductionArgs(environment_variables=env),
                preview=cloudflare.PagesProjectDeploymentConfigsPreviewArgs(environment_variables=env),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return project.subdomain.apply(lambda host: f"https://{host}"), project.id
