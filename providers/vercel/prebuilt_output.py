"""A static build laid out as Vercel's Build Output (v3) (``pulumi-python:dynamic/vercel:PrebuiltOutput``).

The official provider deploys prebuilt output without a build on Vercel when the deployment's files are a
``.vercel/output`` folder (pulumiverse-vercel 1.15.0 = terraform-provider-vercel v2.8.0,
``vercel/data_source_prebuilt_project.go`` and ``vercel/resource_deployment.go``). ``vercel.Deployment`` takes
``files``, a map of path on disk -> ``"<size>~<sha1>"``, and ``path_prefix``, stripped from each path to name the
uploaded file; at create it reads from disk, relative to the program's folder, the files Vercel says it lacks.

This resource makes exactly that folder from a ``build:StaticBuild`` artifact and computes the map itself, rather
than calling ``get_prebuilt_project``: the plain function (its ``*_output`` form crashes on Pulumi 3.79) would
have to run inside an ``apply`` on the build's output, on every preview, and fail on a machine where the build
folder does not exist yet; the map here lives in state, is the same on every machine (paths are relative to the
project), and changes exactly when the artifact's digest does, so a new deployment is made only then.

Layout: ``<project>/.stagecraft/vercel/<digest>/.vercel/output/config.json`` (``{"version": 3}`` plus, for a
single-page app, the filesystem handler then a fallback to ``/index.html``) and ``static/`` holding the built
site (Build Output API v3: ``config.json`` and ``static/``). The fallback follows the rule the stack's other
hosts apply (Cloudflare Pages serves ``index.html`` for unknown paths unless the site has a top-level
``404.html``), so the apps route the same on every platform.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, ProviderError, changed_fields

LAYOUT_ROOT = Path(".stagecraft") / "vercel"
"""Where the layouts live, relative to the project (ignored by git with the rest of `.stagecraft/`)."""
FIELDS = ("app", "artifact_digest")
"""Inputs compared by ``diff``: ``artifact_dir`` and ``root`` are where things sit on this machine."""
SPA_ROUTES = [{"handle": "filesystem"}, {"src": "/(.*)", "dest": "/index.html"}]


@dataclass(frozen=True)
class PrebuiltOutputArgs(CheckedArgs):
    """Inputs of a Build Output layout."""

    KIND = "vercel:PrebuiltOutput"

    app: pulumi.Input[str]
    """The app's name, for messages."""
    artifact_dir: pulumi.Input[str]
    """Absolute folder of the built site (``StaticBuild.artifact_dir``)."""
    artifact_digest: pulumi.Input[str]
    """``StaticBuild.artifact_digest``: a new layout (and so a new deployment) only when it changes."""
    root: pulumi.Input[str]
    """Absolute path of the project on this machine: the folder ``vercel.Deployment`` reads files relative to."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the app, the artifact and the project folder."""
        values = {
            "app": reader.string("app", example='"chat-commerce-web-theme-3"'),
            "artifact_dir": reader.string("artifact_dir", example='"/home/me/.cache/stagecraft/builds/<key>"'),
            "artifact_digest": reader.string("artifact_digest", pattern=r"[0-9a-f]{64}",
                                             pattern_hint="a sha256 hex digest (StaticBuild.artifact_digest)"),
            "root": reader.string("root", example='"/home/me/stagecraft"'),
        }
        for name in ("artifact_dir", "root"):
            if isinstance(values[name], str) and not os.path.isabs(values[name]):
                reader.fail(name, f"must be an absolute path, got {values[name]!r}")
        return values


def layout_path(artifact_digest: str) -> str:
    """The layout's folder relative to the project: ``.stagecraft/vercel/<first 32 hex of the digest>``."""
    return (LAYOUT_ROOT / artifact_digest[:32]).as_posix()


def build_output_config(site: Path) -> dict[str, Any]:
    """``config.json`` of the Build Output: a single-page app's fallback unless the site has its own 404 page."""
    config: dict[str, Any] = {"version": 3}
    if (site / "index.html").is_file() and not (site / "404.html").is_file():
        config["routes"] = SPA_ROUTES
    return config


def files_map(root: Path, prefix: str) -> dict[str, str]:
    """``<prefix>/.vercel/output/<file>`` -> ``"<size>~<sha1>"`` for every file of the layout, the map
    ``get_prebuilt_project`` gives for the same folder (keys joined to the path it was given)."""
    output = root / prefix / ".vercel" / "output"
    files = {}
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        content = path.read_bytes()
        key = f"{prefix}/.vercel/output/{path.relative_to(output).as_posix()}"
        files[key] = f"{len(content)}~{hashlib.sha1(content).hexdigest()}"
    return files


def lay_out(args: PrebuiltOutputArgs) -> dict[str, Any]:
    """Make the layout (atomically, reusing a complete one) and return the resource's state."""
    site = Path(args.artifact_dir)
    if not site.is_dir() or not any(site.iterdir()):
        raise ProviderError(f"vercel: the build of app {args.app!r} ({site}) is missing or empty on this machine; "
                            "run pulumi up again to rebuild it")
    root = Path(args.root)
    prefix = layout_path(args.artifact_digest)
    target = root / prefix
    if not (target / ".vercel" / "output" / "config.json").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            output = staging / ".vercel" / "output"
            shutil.copytree(site, output / "static", symlinks=False)
            (output / "config.json").write_text(json.dumps(build_output_config(site), indent=2) + "\n")
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return {**args.to_props(), "path": prefix, "files": files_map(root, prefix)}


class PrebuiltOutputProvider(ResourceProvider):
    """Lays out a build for Vercel; a layout missing on this machine is laid out again, to the same map."""

    def check(self, _olds: Any, news: Any) -> CheckResult:
        return PrebuiltOutputArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        changed = changed_fields(olds, news, FIELDS)
        root, prefix = news.get("root"), olds.get("path")
        if not (isinstance(root, str) and isinstance(prefix, str) and (Path(root) / prefix).is_dir()):
            changed.append("path")
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: Any) -> CreateResult:
        args: PrebuiltOutputArgs = PrebuiltOutputArgs.from_props(props)
        return CreateResult(args.app, lay_out(args))

    def read(self, id_: str, props: Any) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, _id: str, olds: Any, news: Any) -> UpdateResult:
        outs = lay_out(PrebuiltOutputArgs.from_props(news))
        if olds.get("path") != outs["path"]:
            _remove(olds)
        return UpdateResult(outs)

    def delete(self, _id: str, props: Any) -> None:
        _remove(props)


def _remove(props: Mapping[str, Any]) -> None:
    """Removes a layout: a stack that still deploys the same build lays it out again before it deploys."""
    root, prefix = props.get("root"), props.get("path")
    if isinstance(root, str) and isinstance(prefix, str) and prefix.startswith(LAYOUT_ROOT.as_posix() + "/"):
        shutil.rmtree(Path(root) / prefix, ignore_errors=True)


class PrebuiltOutput(pulumi.dynamic.Resource, module="vercel", name="PrebuiltOutput"):
    """A build as Vercel Build Output. Outputs: ``path`` (``path_prefix``) and ``files`` (``vercel.Deployment``)."""

    path: pulumi.Output[str]
    """The layout's folder relative to the project."""
    files: pulumi.Output[Mapping[str, str]]
    """``<path>/.vercel/output/<file>`` -> ``"<size>~<sha1>"``."""

    def __init__(self, name: str, args: PrebuiltOutputArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(PrebuiltOutputProvider(), name, {**args.to_props(), "path": None, "files": None}, opts)
