"""A Netlify site that serves files deployed through the API (``pulumi-python:dynamic/netlify:Site``).

The site builds nothing itself (no repository): `Deploy` uploads what `FrontendBuilds` built. Its name is its
`<name>.netlify.app` subdomain, unique across all of Netlify, so a taken name is either ours (the site carries
this stack's ``STAGECRAFT_OWNER`` variable, see ``ownership.py``), made by this very create call (its creation
time is after our lost attempt), or someone else's: then `up` stops and says how to resolve it. A rename is done
in place (`PATCH`), so the site id and its deploys stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    ApiError,
    CheckedArgs,
    Conflict,
    InputReader,
    NotFound,
    ProviderError,
    TransportError,
    create_owned,
    diff_props,
    parse_timestamp,
)
from .client import API, NetlifyClient, is_name_taken
from .ownership import OWNER_ENV, OWNER_HINT, OWNER_PATTERN, site_claim

FIELDS = ("name", "owner", "account_slug", "plan")
PLANS = ("free", "starter", "pro", "business", "enterprise")
"""Netlify's plan names (credit plans call the free one Free, legacy accounts Starter)."""
IMMUTABLE = ("owner", "account_slug")
SITE_NAME = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
SITE_NAME_HINT = ("a Netlify site name is its <name>.netlify.app subdomain: 1-63 lower-case letters, digits and "
                  "dashes, starting and ending with a letter or digit")
ACCOUNT_SLUG = r"[a-z0-9][a-z0-9-]*"


@dataclass(frozen=True)
class SiteArgs(CheckedArgs):
    """Inputs of a Netlify site."""

    KIND = "netlify:Site"

    name: pulumi.Input[str]
    """Site name, i.e. the `<name>.netlify.app` subdomain (unique across Netlify). Renamed in place."""
    owner: pulumi.Input[str]
    """The stack that owns the site, ``"<project>/<stack>"``; stored as the site variable ``STAGECRAFT_OWNER``."""
    account_slug: Optional[pulumi.Input[str]] = None
    """Team to create the site in (its slug); None: the token owner's default team. Changing it replaces."""
    plan: pulumi.Input[str] = "free"
    """The team's plan (it belongs to the account, not the site): stated for the policy pack, never sent."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate the name as Netlify's subdomain rule, the owner and the team slug."""
        return {
            "name": reader.string("name", example='"stagecraft-beta-shop"', pattern=SITE_NAME,
                                  pattern_hint=SITE_NAME_HINT, max_length=63),
            "owner": reader.string("owner", example='"stagecraft/beta"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
            "account_slug": reader.string("account_slug", required=False, example='"my-team"', pattern=ACCOUNT_SLUG,
                                          pattern_hint="a Netlify team slug (app.netlify.com/teams/<slug>)"),
            "plan": reader.string("plan", example='"free"', choices=PLANS),
        }


def _to_outs(site: dict[str, Any], owner: str, account_slug: Optional[str], plan: str) -> dict[str, Any]:
    """State of a site: the inputs as Netlify reports them, its account and its HTTPS URL (nothing that drifts)."""
    return {"name": site.get("name"), "owner": owner, "account_slug": account_slug, "plan": plan,
            "account_id": site.get("account_id"), "url": site.get("ssl_url") or site.get("url")}


def owner_of(netlify: NetlifyClient, site: dict[str, Any]) -> Optional[str]:
    """The ``STAGECRAFT_OWNER`` value a site carries, or None."""
    try:
        variable = netlify.get_env_var(str(site.get("account_id")), str(site["id"]), OWNER_ENV)
    except NotFound:
        return None
    values = [v.get("value") for v in variable.get("values") or [] if v.get("context") in ("all", "production")]
    return str(values[0]) if values else None


def mark_owner(netlify: NetlifyClient, site: dict[str, Any], owner: str) -> None:
    """Give the site its ``STAGECRAFT_OWNER`` variable (a repeat after a lost answer finds it already there)."""
    for _attempt in range(netlify.timing.max_attempts):
        try:
            netlify.create_env_var(str(site.get("account_id")), str(site["id"]), OWNER_ENV, owner)
            return
        except (Conflict, TransportError, ApiError) as exc:
            found = owner_of(netlify, site)
            if found == owner:
                return
            if found is not None or not isinstance(exc, TransportError):
                raise ProviderError(f"{API}: site {site.get('name')!r} could not be marked as stack {owner}'s: "
                                    f"{exc}") from None
    raise ProviderError(f"{API}: site {site.get('name')!r} could not be marked as stack {owner}'s; run pulumi up "
                        f"again")


class SiteProvider(ResourceProvider):
    """CRUD for Netlify sites. Credentials come from NETLIFY_AUTH_TOKEN / NETLIFY_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return SiteArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=IMMUTABLE, unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: SiteArgs = SiteArgs.from_props(props)
        with NetlifyClient.from_env() as netlify:
            try:
                site, _adopted = create_owned(
                    lambda: netlify.create_site(args.name, args.account_slug),
                    lambda: netlify.find_site(args.name),
                    claim=site_claim(args.name, args.owner),
                    timing=netlify.timing,
                    proves_ownership=lambda found: owner_of(netlify, found) == args.owner,
                    created_at=lambda found: parse_timestamp(found.get("created_at")),
                    name_taken=is_name_taken,
                )
            except ApiError as exc:
                if is_name_taken(exc):
                    raise ProviderError(
                        f"{API}: the site name {args.name!r} ({args.name}.netlify.app) is taken by a site outside "
                        f"this account; Netlify site names are unique across all of Netlify. Nothing was created. "
                        f"Set another prefix for this stack's site names: pulumi config set --path "
                        f"'stagecraft:netlify.siteNamePrefix' <prefix>"
                    ) from None
                raise
            mark_owner(netlify, site, args.owner)
            return CreateResult(str(site["id"]), _to_outs(site, args.owner, args.account_slug, args.plan))

    def read(self, id_: str, props: Any) -> ReadResult:
        with NetlifyClient.from_env() as netlify:
            try:
                site = netlify.get_site(id_)
            except NotFound:
                return ReadResult("", {})
        return ReadResult(id_, _to_outs(site, props.get("owner"), props.get("account_slug"), props.get("plan")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: SiteArgs = SiteArgs.from_props(news)
        with NetlifyClient.from_env() as netlify:
            site = netlify.rename_site(id_, args.name) if olds.get("name") != args.name else netlify.get_site(id_)
        return UpdateResult(_to_outs(site, args.owner, args.account_slug, args.plan))

    def delete(self, id_: str, _props: Any) -> None:
        with NetlifyClient.from_env() as netlify:
            try:
                netlify.delete_site(id_)
            except NotFound:
                return


class Site(pulumi.dynamic.Resource, module="netlify", name="Site"):
    """A Netlify site. Outputs add ``account_id`` and ``url`` (`https://<name>.netlify.app`); ``id`` is the site id."""

    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    account_slug: pulumi.Output[Optional[str]]
    plan: pulumi.Output[str]
    account_id: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, resource_name: str, args: SiteArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(SiteProvider(), resource_name, {**args.to_props(), "account_id": None, "url": None}, opts)
