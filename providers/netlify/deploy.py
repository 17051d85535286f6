"""A Netlify deploy of a built site, made with the file-digest API (``pulumi-python:dynamic/netlify:Deploy``).

`create` does what `netlify deploy --prod --dir <dir>` does (netlify/cli `src/utils/deploy/deploy-site.ts`,
platform-apis.md §5): it hashes every file (SHA1, keyed by its `/path`), creates the deploy with that map
(`async` for large sites, then waits for the diff), uploads only the files Netlify lists as `required` (one path
per SHA1), and waits, bounded, for `ready`; `error` fails `up` with Netlify's `error_message`. A deploy that is
not a draft is published, so the site serves it once it is ready; until then the previous deploy keeps serving. A
site whose auto publishing is stopped (its published deploy locked) does not publish it: `create` then fails
saying so, since the site would not serve the build `up` reports.

Deploys are immutable: a new `content_digest` (a changed build) or another site replaces the deploy, the new one
first. Netlify keeps deploys as the site's history and deletes them with the site, so `delete` removes nothing --
except an `alias` deploy (a PR's preview on another stack's site, `netlify deploy --alias pr-7`), which is deleted
(`DELETE /deploys/{id}`; gone is done) so that closing the PR leaves the site as it was.

Retries converge on one deploy: the deploy's title is `stagecraft build <digest>`; after a create whose answer
was lost, `create` carries on with the site's newest deploy (of the same alias) when it has that title and has not
failed (proof that this program made it for this build, DESIGN §5); an older one of the same build is not served.

Netlify's limits (3 deploys a minute, 100 a day) are handled by the client: the minute is waited out, the day is
reported (``client.DeployLimitReached``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import (
    CheckedArgs,
    Claim,
    InputReader,
    NotFound,
    ProviderError,
    ResourceFailed,
    create_owned,
    diff_props,
    wait_until,
)
from .client import API, NetlifyClient

FIELDS = ("site_id", "content_digest", "alias")
IMMUTABLE = FIELDS
ALIAS = r"[a-z0-9]([a-z0-9-]{0,35}[a-z0-9])?"
"""netlify/cli `deploy --alias`: at most 37 characters, the start of a host label."""
DIGEST = r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}"
TITLE_PREFIX = "stagecraft build "
DIFFED_STATES = frozenset({"prepared", "uploading", "uploaded", "processing", "ready"})
FAILED_STATES = frozenset({"error", "rejected"})


@dataclass(frozen=True)
class DeployArgs(CheckedArgs):
    """Inputs of a Netlify deploy."""

    KIND = "netlify:Deploy"

    site_id: pulumi.Input[str]
    """Id of the site to deploy to (``Site.id``). Changing it replaces the deploy."""
    directory: pulumi.Input[str]
    """Absolute path of the built site on this machine (not compared: the digest says whether it changed)."""
    content_digest: pulumi.Input[str]
    """Digest of the built files; a new deploy is made only when it changes."""
    alias: Optional[pulumi.Input[str]] = None
    """Serve this deploy at `<alias>--<site>.netlify.app` and leave the site's published deploy alone (a preview);
    None publishes it."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the site id, the directory's form and the digest."""
        values = {
            "site_id": reader.string("site_id", example="site.id"),
            "directory": reader.string("directory", example='"/abs/path/to/dist"'),
            "content_digest": reader.string("content_digest", example='"sha256:3f5a..."', pattern=DIGEST,
                                            pattern_hint="8-128 letters, digits or ._:- (the build's digest)"),
            "alias": reader.string("alias", required=False, example='"pr-7"', pattern=ALIAS,
                                   pattern_hint="1-37 lower-case letters, digits and inner hyphens"),
        }
        directory = values["directory"]
        if isinstance(directory, str) and directory and not Path(directory).is_absolute():
            reader.fail("directory", f"{directory!r} is relative; pass the absolute path of the built site")
        return values


def file_digests(directory: Path) -> tuple[dict[str, str], dict[str, Path]]:
    """(`/path` -> SHA1 of every file, SHA1 -> one file with that content) for the site in ``directory``."""
    if not directory.is_dir():
        raise ProviderError(f"{API}: the built site {directory} does not exist on this machine; run pulumi up again "
                            f"to rebuild it")
    files: dict[str, str] = {}
    by_sha: dict[str, Path] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        site_path = "/" + path.relative_to(directory).as_posix()
        if "#" in site_path or "?" in site_path:
            raise ProviderError(f"{API}: {site_path} cannot be deployed: Netlify refuses file names with # or ?")
        sha = hashlib.sha1(path.read_bytes()).hexdigest()
        files[site_path] = sha
        by_sha.setdefault(sha, path)
    if not files:
        raise ProviderError(f"{API}: the built site {directory} holds no files; check the app's build output folder")
    return files, by_sha


def title_of(content_digest: str) -> str:
    """The title that marks a deploy of this build."""
    return f"{TITLE_PREFIX}{content_digest}"


def _to_outs(props: Mapping[str, Any], deploy: Mapping[str, Any]) -> dict[str, Any]:
    """State: the inputs plus the deploy's permalink and the site's URL (no state, which Netlify moves on)."""
    return {**{f: props.get(f) for f in (*FIELDS, "directory")},
            "deploy_url": deploy.get("deploy_ssl_url") or deploy.get("deploy_url"),
            "site_url": deploy.get("ssl_url") or deploy.get("url")}


class DeployProvider(ResourceProvider):
    """CRUD for Netlify deploys. Credentials come from NETLIFY_AUTH_TOKEN / NETLIFY_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return DeployArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: DeployArgs = DeployArgs.from_props(props)
        files, by_sha = file_digests(Path(args.directory))
        with NetlifyClient.from_env() as netlify:
            deploy = _create(netlify, args, files)
            if deploy.get("state") == "preparing":
                deploy = _wait(netlify, deploy["id"], DIFFED_STATES, "the file diff")
            for sha in deploy.get("required") or []:
                path = next(p for p, s in files.items() if s == sha)
                netlify.upload_file(deploy["id"], path, by_sha[sha].read_bytes())
            ready = _wait(netlify, deploy["id"], frozenset({"ready"}), "ready")
            if not args.alias:
                _check_published(netlify, args.site_id, ready)
        return CreateResult(str(ready["id"]), _to_outs(props, ready))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NetlifyClient.from_env() as netlify:
            try:
                deploy = netlify.get_deploy(id_)
            except NotFound:
                return ReadResult("", {})
        if deploy.get("state") in FAILED_STATES:
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(props, deploy))

    def delete(self, id_: str, props: Any) -> None:
        if not props.get("alias"):
            return  # Netlify keeps a site's deploys as its history and deletes them with the site.
        with NetlifyClient.from_env() as netlify:
            try:
                netlify.delete_deploy(id_)
            except NotFound:
                return


def _create(netlify: NetlifyClient, args: DeployArgs, files: Mapping[str, str]) -> dict[str, Any]:
    """Create first; an answer that may hide a made deploy (dropped, 5xx) looks for the deploy carrying this build's
    title under this alias before trying again, within the retry budget (Netlify never refuses a second deploy)."""
    title = title_of(args.content_digest)

    def find() -> Optional[dict[str, Any]]:
        # Only the newest deploy of this alias (None: the site's own) can be the one the lost request made. An older
        # deploy of the same build (before a rollback to it) is not what the site serves, so carrying on with it
        # would report the rollback done while the newer build stays published. The same build under another
        # alias (another PR) is not ours either.
        same_alias = [d for d in netlify.list_deploys(args.site_id) if (d.get("branch") or None) == args.alias]
        newest = same_alias[0] if same_alias else None
        if newest is None or newest.get("title") != title or newest.get("state") in FAILED_STATES:
            return None
        return netlify.get_deploy(newest["id"])

    deploy, _adopted = create_owned(
        lambda: netlify.create_deploy(args.site_id, files, title, args.alias), find,
        claim=Claim(api=API, kind="deploy", name=title, owner=args.site_id,
                    resolve="Delete it in the Netlify UI (Deploys)."),
        timing=netlify.timing, proves_ownership=lambda _found: True, name_taken=lambda _exc: False)
    return deploy


def _check_published(netlify: NetlifyClient, site_id: str, deploy: Mapping[str, Any]) -> None:
    """Fail unless the site now serves ``deploy``: a site whose published deploy is locked ("Stop auto publishing")
    keeps serving that one, and a ready deploy alone would make ``up`` report a release nobody is served."""
    site = netlify.get_site(site_id)
    published = site.get("published_deploy") or {}
    if published.get("id") == deploy.get("id"):
        return
    why = " because auto publishing is stopped (its published deploy is locked)" if published.get("locked") else ""
    raise ResourceFailed(
        f"{API}: deploy {deploy.get('id')} of site {site.get('name')!r} is ready, but the site still serves deploy "
        f"{published.get('id') or '(none)'}{why}. Publish it in the Netlify UI (Deploys > the deploy > Publish "
        f"deploy) or start auto publishing again (Deploys > Start auto publishing), then run pulumi up again")


def _wait(netlify: NetlifyClient, deploy_id: str, done: frozenset[str], goal: str) -> dict[str, Any]:
    def classify(deploy: Mapping[str, Any]) -> tuple[str, str]:
        state = str(deploy.get("state"))
        if state in FAILED_STATES:
            return "failed", f"{state}: {deploy.get('error_message') or 'no reason given'}"
        return ("ready" if state in done else "pending"), state

    try:
        return wait_until(lambda: netlify.get_deploy(deploy_id), classify, api=API,
                          what=f"deploy {deploy_id} ({goal})", timing=netlify.timing)
    except ResourceFailed as exc:
        raise ResourceFailed(f"{exc}. The site keeps serving its previous deploy.") from None


class Deploy(pulumi.dynamic.Resource, module="netlify", name="Deploy"):
    """A published Netlify deploy. Outputs add ``deploy_url`` (its permalink) and ``site_url``; ``id`` is the deploy id."""

    site_id: pulumi.Output[str]
    directory: pulumi.Output[str]
    content_digest: pulumi.Output[str]
    alias: pulumi.Output[Optional[str]]
    deploy_url: pulumi.Output[str]
    site_url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DeployArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(DeployProvider(), resource_name, {**args.to_props(), "deploy_url": None, "site_url": None},
                         opts)
