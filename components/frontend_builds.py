"""FrontendBuilds: every app × variant of the stack built with the stack's values, inside the graph (DESIGN §4).

The values a Vite build bakes in (`VITE_API_URL` above all) are known only once the backend exists, so the
builds are resources that depend on it. They are one component because every deployment waits for all of
them: a build that fails stops the stack before any frontend is uploaded, so nothing is half-deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from settings.inventory import FrontendApp


def build_values(app: FrontendApp, api_url: pulumi.Input[str], environment: str) -> dict[str, pulumi.Input[str]]:
    """The variables an app's build (and its local dev server) reads."""
    return variant_build_values(app.variant, api_url, environment)


def variant_build_values(variant: str | None, api_url: pulumi.Input[str],
                         environment: str) -> dict[str, pulumi.Input[str]]:
    """The build variables of an app built as `variant` (None: no VITE_VARIANT), also for `stagecraft env`."""
    values: dict[str, pulumi.Input[str]] = {"VITE_API_URL": api_url, "VITE_ENVIRONMENT": environment}
    if variant:
        values["VITE_VARIANT"] = variant
    return values


@dataclass(frozen=True)
class FrontendBuildsArgs:
    """The apps to build and the values they are built with."""

    apps: tuple[FrontendApp, ...]
    """The deployed inventory (one build per app; apps sharing a source and values share an artifact)."""
    project_root: Path
    """Folder app sources are relative to (the Pulumi project)."""
    api_url: pulumi.Input[str]
    """Backend URL, baked in as VITE_API_URL."""
    environment: str
    """ENVIRONMENT of the stack, baked in as VITE_ENVIRONMENT."""
    pinned: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """App -> (artifact folder, digest) of an earlier update's build to serve instead of building (a rollback,
    `stagecraft:rollback`); checked by the preflight."""


class FrontendBuilds(pulumi.ComponentResource):
    """One `build:StaticBuild` per app, each rebuilt only when its source or values change."""

    artifact_dirs: dict[str, pulumi.Output[str]]
    """App name -> folder holding its built site."""
    artifact_digests: dict[str, pulumi.Output[str]]
    """App name -> digest of its built files (deployments change only when this does)."""
    artifact_keys: dict[str, pulumi.Output[str]]
    """App name -> its artifact's folder name (its content address in the build directory)."""

    def __init__(self, name: str, args: FrontendBuildsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:index:FrontendBuilds", name, None, opts)
        from providers.build.static_build import StaticBuild, StaticBuildArgs, source_digest

        child = pulumi.ResourceOptions(parent=self)
        self.builds = {
            app.name: StaticBuild(f"{name}-{app.name}", StaticBuildArgs(
                app=app.name, source=app.source, root=str(args.project_root), build_command=app.build_command,
                output_directory=app.output_directory,
                env=build_values(app, args.api_url, args.environment),
                source_digest=source_digest(_absolute(args.project_root, app.source), app.output_directory),
            ), opts=child)
            for app in args.apps if app.name not in args.pinned
        }
        self.artifact_dirs = {app: build.artifact_dir for app, build in self.builds.items()}
        self.artifact_digests = {app: build.artifact_digest for app, build in self.builds.items()}
        for app, (folder, digest) in args.pinned.items():
            self.artifact_dirs[app] = pulumi.Output.from_input(folder)
            self.artifact_digests[app] = pulumi.Output.from_input(digest)
        self.artifact_keys = {app: folder.apply(lambda path: Path(path).name)
                              for app, folder in self.artifact_dirs.items()}
        self.register_outputs({})

    @property
    def resources(self) -> list[pulumi.Resource]:
        """The build resources, for `depends_on` of whatever must wait for all of them."""
        return list(self.builds.values())


def _absolute(root: Path, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate
