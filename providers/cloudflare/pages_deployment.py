"""A Cloudflare Pages Direct Upload deployment of a built site (`pulumi-python:dynamic/cloudflare:PagesDeployment`).

`create` makes the calls `wrangler pages deploy <directory> --project-name P --branch B` makes (read the project,
upload token, check-missing, upload, upsert-hashes, multipart deployment create, deployment reads; the logs on
failure), here over the shared HTTP layer rather than by running Wrangler; `providers/cloudflare/README.md` says
why, with the evidence. It then waits, bounded, until the deployment's latest stage is `deploy` / `success`; a
failed stage fails `create` with Cloudflare's reason (the last line of the deployment's logs) and the failed
deployment is removed, so the previous one keeps serving and nothing is left behind.

A deployment is immutable: a new `content_digest`, `branch`, `project_name` or `account_id` replaces it, the new
one first (`create` before `delete`), so the site never goes dark. `directory` is where this machine keeps the
built files and is not compared: the digest says whether they changed.

Retries converge on one deployment: the deployment carries a marker (`commit_hash` from the digest and the commit
message `stagecraft build <digest>`). `create` deploys first; only after an answer that may hide a made deployment
(a dropped connection, a 5xx) does it look for a deployment on the same project and branch with that marker, and
adopts it (proof that this program made it for this build; DESIGN §5).

`delete` removes the deployment with `?force=true` (the schema's switch for "aliased non-production deployments",
i.e. the branch alias of a preview). Cloudflare refuses to delete a project's active production deployment (the
dashboard: it "can't be deleted because it's your current active production deployment"; force only covers
non-production ones), so that one is left serving and goes with its project, or when a newer production
deployment replaces it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider

from .._http import (
    CheckedArgs,
    InputReader,
    NotFound,
    ProviderError,
    ResourceFailed,
    Claim,
    create_owned,
    diff_props,
    is_unknown,
    wait_until,
)
from .client import API, CloudflareClient
from .direct_upload import special_files, upload_site
from .catalog import PROJECT_NAME

FIELDS = ("account_id", "project_name", "branch", "content_digest")
# A deployment cannot be changed after it is made; `directory` is a local path, not part of the deployment.
IMMUTABLE = FIELDS
ACCOUNT_ID = r"[0-9a-f]{32}"
BRANCH = r"[^\s~^:?*\[\\]+"
DIGEST = r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}"
MARKER_PREFIX = "stagecraft build "
MAX_COMMIT_HASH = 40
FINAL_STAGE = "deploy"
FAILED_STATUSES = ("failure", "canceled")


@dataclass(frozen=True)
class PagesDeploymentArgs(CheckedArgs):
    """Inputs of a Pages Direct Upload deployment."""

    KIND = "cloudflare:PagesDeployment"

    account_id: pulumi.Input[str]
    """Cloudflare account id (32 hex digits) that owns the project."""
    project_name: pulumi.Input[str]
    """Name of the Pages project (made by `cloudflare.PagesProject`)."""
    branch: pulumi.Input[str]
    """Branch to deploy to: the project's production branch for a stack, `pr-<n>` for a preview."""
    directory: pulumi.Input[str]
    """Absolute path of the built site on this machine."""
    content_digest: pulumi.Input[str]
    """Digest of the built files; a new deployment is made only when it changes."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ids, names, the branch, the directory's form and the digest."""
        values = {
            "account_id": reader.string("account_id", example='"0123456789abcdef0123456789abcdef"',
                                        pattern=ACCOUNT_ID, pattern_hint="a Cloudflare account id is 32 hex digits "
                                        "(dashboard: Workers & Pages > Account details)"),
            "project_name": reader.string("project_name", example='"stagecraft-uat-shop"', pattern=PROJECT_NAME,
                                          pattern_hint="lower-case letters, digits and dashes, at most 58 "
                                          "characters, starting and ending with a letter or digit"),
            "branch": reader.string("branch", example='"main"', pattern=BRANCH, max_length=255,
                                    pattern_hint="a git branch name without spaces or ~^:?*[\\"),
            "directory": reader.string("directory", example='"/abs/path/to/dist"'),
            "content_digest": reader.string("content_digest", example='"sha256:3f5a..."', pattern=DIGEST,
                                            pattern_hint="8-128 letters, digits or ._:- (the build's digest)"),
        }
        directory = values["directory"]
        if isinstance(directory, str) and not is_unknown(directory) and not Path(directory).is_absolute():
            reader.fail("directory", f"{directory!r} is relative; pass the absolute path of the built site")
        return values


def marker(content_digest: str) -> tuple[str, str]:
    """The (`commit_hash`, `commit_message`) a deployment of this build carries."""
    token = re.sub(r"[^0-9a-zA-Z]", "", content_digest.split(":")[-1]) or content_digest
    return token[:MAX_COMMIT_HASH], f"{MARKER_PREFIX}{content_digest}"


def deployment_form(branch: str, content_digest: str, manifest: Mapping[str, str], extras: Mapping[str, bytes]):
    """The multipart fields of the deployment create, as Wrangler sends them for a static site."""
    commit_hash, commit_message = marker(content_digest)
    form: dict[str, tuple[Any, ...]] = {
        "manifest": (None, json.dumps(manifest).encode()),
        "branch": (None, branch.encode()),
        "commit_message": (None, commit_message.encode()),
        "commit_hash": (None, commit_hash.encode()),
        "commit_dirty": (None, b"false"),
    }
    for name, data in extras.items():
        form[name] = (name, data, "application/octet-stream")
    return form


def is_ours(deployment: Mapping[str, Any], branch: str, content_digest: str) -> bool:
    """Whether a deployment carries this build's marker on this branch."""
    meta = (deployment.get("deployment_trigger") or {}).get("metadata") or {}
    commit_hash, commit_message = marker(content_digest)
    return (meta.get("branch") == branch and meta.get("commit_hash") == commit_hash
            and meta.get("commit_message") == commit_message)


def stage_of(deployment: Mapping[str, Any]) -> tuple[str, str]:
    """(`name`, `status`) of a deployment's latest stage."""
    stage = deployment.get("latest_stage") or {}
    return str(stage.get("name") or "queued"), str(stage.get("status") or "active")


def branch_alias(branch: str) -> str:
    """The alias label Pages gives a branch: lowercased, non-alphanumerics as hyphens (Pages docs)."""
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in branch.lower())


def alias_url(project: Mapping[str, Any], deployment: Mapping[str, Any], branch: str) -> str:
    """The stable URL of the branch: the project's `*.pages.dev` for production, the branch alias for previews."""
    subdomain = project.get("subdomain") or f"{project.get('name')}.pages.dev"
    if deployment.get("environment") == "production":
        return f"https://{subdomain}"
    aliases = [a for a in deployment.get("aliases") or [] if str(a).endswith(".pages.dev")]
    return aliases[0] if aliases else f"https://{branch_alias(branch)}.{subdomain}"


def _to_outs(props: Mapping[str, Any], project: Mapping[str, Any], deployment: Mapping[str, Any]) -> dict[str, Any]:
    """State: the inputs plus what does not change on its own (id, URLs, environment)."""
    return {
        **{f: props.get(f) for f in (*FIELDS, "directory")},
        "deployment_id": deployment["id"],
        "url": deployment.get("url"),
        "alias_url": alias_url(project, deployment, str(props.get("branch"))),
        "environment": deployment.get("environment"),
    }


class PagesDeploymentProvider(ResourceProvider):
    """CRUD for Pages deployments. Credentials: CLOUDFLARE_API_TOKEN (+ CLOUDFLARE_API_BASE_URL)."""

    def check(self, _olds: Any, news: Any):
        return PagesDeploymentArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=False)

    def create(self, props: Any) -> CreateResult:
        args: PagesDeploymentArgs = PagesDeploymentArgs.from_props(props)
        with CloudflareClient.from_env() as cloudflare:
            project = _project(cloudflare, args)
            # Create first; only an answer that may hide a made deployment sends us looking for the one that
            # carries this build's marker (Cloudflare never refuses a second deployment, so nothing is "taken").
            deployment, _adopted = create_owned(
                lambda: _deploy(cloudflare, args),
                lambda: _find_ours(cloudflare, args, project),
                claim=Claim(api=API, kind="Pages deployment", name=f"{args.project_name}@{args.branch}",
                            owner=args.project_name, resolve="Delete it in the Cloudflare dashboard."),
                timing=cloudflare.timing,
                proves_ownership=lambda found: is_ours(found, args.branch, args.content_digest),
                name_taken=lambda _exc: False,
            )
            finished = _wait(cloudflare, args, deployment["id"])
            return CreateResult(finished["id"], _to_outs(props, project, finished))

    def read(self, id_: str, props: Any) -> ReadResult:
        with CloudflareClient.from_env() as cloudflare:
            try:
                project = cloudflare.get_project(props["account_id"], props["project_name"])
                deployment = cloudflare.get_deployment(props["account_id"], props["project_name"], id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(props, project, deployment))

    def delete(self, id_: str, props: Any) -> None:
        account_id, project_name = props["account_id"], props["project_name"]
        with CloudflareClient.from_env() as cloudflare:
            try:
                project = cloudflare.get_project(account_id, project_name)
                if (project.get("canonical_deployment") or {}).get("id") == id_:
                    pulumi.log.warn(
                        f"{API} Pages: deployment {id_} is the active production deployment of {project_name}; "
                        f"Cloudflare does not delete that one, so it stays until the project is deleted or a newer "
                        f"production deployment replaces it"
                    )
                    return
                cloudflare.delete_deployment(account_id, project_name, id_, force=True)
            except NotFound:
                return


def _project(cloudflare: CloudflareClient, args: PagesDeploymentArgs) -> dict[str, Any]:
    try:
        return cloudflare.get_project(args.account_id, args.project_name)
    except NotFound:
        raise ProviderError(
            f"{API} Pages: project {args.project_name!r} does not exist in account {args.account_id}; it is made by "
            f"the stack's cloudflare.PagesProject, so check that the deployment depends on it and that "
            f"CLOUDFLARE_API_TOKEN belongs to that account"
        ) from None


def _find_ours(
    cloudflare: CloudflareClient, args: PagesDeploymentArgs, project: Mapping[str, Any]
) -> Optional[dict[str, Any]]:
    """The newest deployment of the branch, when it is this build's: only that one can be the deployment our lost
    request made. An older one with the same marker (an earlier deploy of the same build, before a rollback) is not
    serving, so adopting it would leave the site on something else."""
    env = "production" if args.branch == project.get("production_branch") else "preview"
    for deployment in cloudflare.list_deployments(args.account_id, args.project_name, env=env):
        if (deployment.get("deployment_trigger") or {}).get("metadata", {}).get("branch", args.branch) != args.branch:
            continue
        if is_ours(deployment, args.branch, args.content_digest) and stage_of(deployment)[1] not in FAILED_STATUSES:
            return deployment
        return None
    return None


def _deploy(cloudflare: CloudflareClient, args: PagesDeploymentArgs) -> dict[str, Any]:
    directory = Path(args.directory)
    label = f"{args.project_name} ({args.branch})"
    manifest = upload_site(cloudflare, args.account_id, args.project_name, directory, label=label)
    form = deployment_form(args.branch, args.content_digest, manifest, special_files(directory))
    return cloudflare.create_deployment(args.account_id, args.project_name, form)


def _wait(cloudflare: CloudflareClient, args: PagesDeploymentArgs, deployment_id: str) -> dict[str, Any]:
    """Poll until the deployment finishes; a failed one is removed and reported with Cloudflare's reason."""
    def finished(deployment: Mapping[str, Any]) -> tuple[str, str]:
        name, status = stage_of(deployment)
        done = status in FAILED_STATUSES or (name == FINAL_STAGE and status == "success")
        return ("ready" if done else "pending"), f"{name}: {status}"

    what = f"deployment {deployment_id} of Pages project {args.project_name!r} (branch {args.branch})"
    deployment = wait_until(
        lambda: cloudflare.get_deployment(args.account_id, args.project_name, deployment_id), finished,
        api=API, what=what, timing=cloudflare.timing,
    )
    name, status = stage_of(deployment)
    if status not in FAILED_STATUSES:
        return deployment
    reason = _failure_reason(cloudflare, args, deployment_id) or f"stage {name} ended {status}"
    try:
        cloudflare.delete_deployment(args.account_id, args.project_name, deployment_id, force=True)
    except ProviderError as exc:
        pulumi.log.warn(f"{API} Pages: could not remove the failed deployment {deployment_id}: {exc}")
    raise ResourceFailed(f"{API} Pages: {what} failed in its {name} stage: {reason}")


def _failure_reason(cloudflare: CloudflareClient, args: PagesDeploymentArgs, deployment_id: str) -> str:
    """The last log line, as Wrangler reports a failed Direct Upload deployment."""
    try:
        logs = cloudflare.get_deployment_logs(args.account_id, args.project_name, deployment_id)
    except ProviderError:
        return ""
    lines = [str(entry.get("line", "")) for entry in logs.get("data") or []]
    return lines[-1].replace("Error:", "", 1).strip() if lines else ""


class PagesDeployment(pulumi.dynamic.Resource, module="cloudflare", name="PagesDeployment"):
    """A Pages deployment of a built site. Outputs add `deployment_id`, `url` (this deployment's own
    `https://<short id>.<project>.pages.dev`), `alias_url` (the production URL or the branch alias) and
    `environment` (`production` or `preview`); `id` is the deployment id."""

    account_id: pulumi.Output[str]
    project_name: pulumi.Output[str]
    branch: pulumi.Output[str]
    directory: pulumi.Output[str]
    content_digest: pulumi.Output[str]
    deployment_id: pulumi.Output[str]
    url: pulumi.Output[str]
    alias_url: pulumi.Output[str]
    environment: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: PagesDeploymentArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        props = {**args.to_props(), **{k: None for k in ("deployment_id", "url", "alias_url", "environment")}}
        super().__init__(PagesDeploymentProvider(), resource_name, props, opts)
