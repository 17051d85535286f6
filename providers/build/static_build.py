"""`build:StaticBuild` (``pulumi-python:dynamic/build:StaticBuild``): one app × variant built with a stack's
values into a content-addressed artifact, inside the graph (DESIGN §4).

The values a static site bakes in (``VITE_API_URL`` above all) exist only once the backend does, so the build
is a resource that depends on it, and every deployment depends on the build: a failing build (an unknown
variant, a broken command) stops ``up`` before anything is uploaded.

- create/update build, or reuse the artifact of the same source digest, command, output folder and values.
- diff: a changed source, command, output folder or value is an update; so is an artifact folder missing on
  this machine (a fresh clone or CI runner), which rebuilds it: builds are deterministic, so the digest and
  everything downstream stay the same. ``root`` (where the project sits on this machine) is never compared.
- read returns the state as it is: the local artifact cache is not a platform's truth, so refresh reports no
  change.
- delete removes nothing: artifacts are shared by content (other stacks, other apps with the same values);
  ``providers.build.prune`` removes the ones no stack refers to.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, changed_fields, contains_unknown
from .builder import Artifact, BuildSpec, build_dir, ensure_artifact
from .digest import source_digest

__all__ = ["StaticBuild", "StaticBuildArgs", "StaticBuildProvider", "source_digest"]

FIELDS = ("app", "source", "build_command", "output_directory", "env", "source_digest")
"""Inputs compared by ``diff`` (``root`` is machine-specific and left out on purpose)."""
OUTPUTS = ("artifact_dir", "artifact_digest", "file_count", "size_bytes")
ENV_NAME = r"[A-Z_][A-Z0-9_]*"
SECRET_LOOKING = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL")
RESERVED_ENV = ("PATH", "HOME", "CI", "NO_COLOR")
OUTPUT_DIRECTORY = r"(?!\.{1,2}(?:/|$))(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*"


@dataclass(frozen=True)
class StaticBuildArgs(CheckedArgs):
    """Inputs of a static build."""

    KIND = "build:StaticBuild"

    app: pulumi.Input[str]
    """The app's name in the inventory, for messages (e.g. ``chat-commerce-web-theme-3``)."""
    source: pulumi.Input[str]
    """The app's source folder, relative to ``root`` (e.g. ``examples/product/web``)."""
    root: pulumi.Input[str]
    """Absolute path of the project on this machine (not compared by ``diff``)."""
    build_command: pulumi.Input[str]
    """Shell command run in a copy of the source, e.g. ``npm run build``."""
    output_directory: pulumi.Input[str]
    """Folder, relative to the source, that the command writes the site to (e.g. ``dist``)."""
    env: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """The build's values (``VITE_API_URL``, ``VITE_ENVIRONMENT``, ``VITE_VARIANT``); never secrets: a static
    site publishes every value it is built with."""
    source_digest: pulumi.Input[str]
    """``source_digest(<root>/<source>, output_directory)``, computed by the program."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate every field; the source folder must exist once ``root`` and ``source`` are known."""
        values = {
            "app": reader.string("app", example='"chat-commerce-web-theme-3"'),
            "source": reader.string("source", example='"examples/product/web"'),
            "root": reader.string("root", example='"/home/me/stagecraft"'),
            "build_command": reader.string("build_command", example='"npm run build"'),
            "output_directory": reader.string("output_directory", example='"dist"', pattern=OUTPUT_DIRECTORY,
                                              pattern_hint="a folder inside the app's source, e.g. dist or build/site"),
            "env": reader.string_map("env", key_pattern=ENV_NAME,
                                     key_hint="an environment variable name such as VITE_API_URL"),
            "source_digest": reader.string("source_digest", example="source_digest(path)", pattern=r"[0-9a-f]{64}",
                                           pattern_hint="a sha256 hex digest from providers.build.digest.source_digest"),
        }
        _check_env_names(reader, values["env"])
        _check_source(reader, values["root"], values["source"])
        return values


def _check_env_names(reader: InputReader, env: Any) -> None:
    if not isinstance(env, Mapping):
        return
    for name in env:
        if name in RESERVED_ENV:
            reader.fail("env", f"{name} is set by the build itself; remove it from the build's values")
        elif SECRET_LOOKING.search(name):
            reader.fail("env", f"{name} looks like a credential, and a static build publishes every value it is "
                               "given to every visitor; give it to the backend instead")


def _check_source(reader: InputReader, root: Any, source: Any) -> None:
    if not isinstance(root, str) or not isinstance(source, str) or contains_unknown([root, source]):
        return
    if not os.path.isabs(root):
        reader.fail("root", f"must be an absolute path, got {root!r}; pass the project folder, e.g. str(Path.cwd())")
    elif not (Path(root) / source).is_dir():
        reader.fail("source", f"{Path(root) / source} is not a folder; set the app's source to its folder "
                              "relative to the project, e.g. examples/product/web")


def _spec(args: StaticBuildArgs) -> BuildSpec:
    return BuildSpec(app=args.app, source_dir=Path(args.root) / args.source, build_command=args.build_command,
                     output_directory=args.output_directory, env=dict(args.env), source_digest=args.source_digest)


def _to_outs(args: StaticBuildArgs, artifact: Artifact) -> dict[str, Any]:
    """State of a build: its inputs and the artifact's stable facts."""
    return {
        **args.to_props(),
        "env": dict(args.env),
        "artifact_dir": str(artifact.directory),
        "artifact_digest": artifact.digest,
        "file_count": artifact.file_count,
        "size_bytes": artifact.size_bytes,
    }


def _build(props: Mapping[str, Any]) -> tuple[StaticBuildArgs, Artifact]:
    args: StaticBuildArgs = StaticBuildArgs.from_props(props)
    return args, ensure_artifact(_spec(args), build_dir(Path(args.root)))


class StaticBuildProvider(ResourceProvider):
    """Builds (or reuses) the artifact of an app's source, command and values; deletes nothing shared."""

    def check(self, _olds: Any, news: Any) -> CheckResult:
        return StaticBuildArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        changed = changed_fields(olds, news, FIELDS)
        artifact = olds.get("artifact_dir")
        if not (isinstance(artifact, str) and Path(artifact).is_dir()):
            changed.append("artifact_dir")
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: Any) -> CreateResult:
        args, artifact = _build(props)
        return CreateResult(args.app, _to_outs(args, artifact))

    def read(self, id_: str, props: Any) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: Any, news: Any) -> UpdateResult:
        args, artifact = _build(news)
        return UpdateResult(_to_outs(args, artifact))

    def delete(self, _id: str, _props: Any) -> None:
        """Nothing to do: the artifact may serve other stacks or apps (see ``providers.build.prune``)."""


class StaticBuild(pulumi.dynamic.Resource, module="build", name="StaticBuild"):
    """One app × variant built with its stack's values; deployments take ``artifact_dir`` and redeploy only
    when ``artifact_digest`` changes."""

    artifact_dir: pulumi.Output[str]
    """Absolute folder holding the built site on this machine."""
    artifact_digest: pulumi.Output[str]
    """sha256 over the relative paths and file hashes of the built site."""
    file_count: pulumi.Output[int]
    """Number of files in the built site."""
    size_bytes: pulumi.Output[int]
    """Total size of the built site in bytes."""

    def __init__(self, name: str, args: StaticBuildArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(StaticBuildProvider(), name, {**args.to_props(), **dict.fromkeys(OUTPUTS)}, opts)
