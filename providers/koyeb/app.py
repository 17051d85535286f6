"""Koyeb app: the container of services, addressed by its unique name (``pulumi-python:dynamic/koyeb:App``).

An app stores nothing that could name the stack that made it (no labels or description in the spec), so an
existing app with our name is adopted only when a service in it carries this stack's ``STAGECRAFT_OWNER``
marker, or when this very create call made it (see ``ownership.py``). Deleting an app deletes what is in it,
so an app that holds a service of someone else is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import (
    CheckedArgs,
    ForeignResource,
    InputReader,
    NotFound,
    create_owned,
    diff_props,
    parse_timestamp,
    wait_until,
)
from .client import API, APP_NAME_HINT, DNS_LABEL, GONE_STATUSES, KoyebClient, is_name_taken
from .deploy import latest_deployment
from .ownership import OWNER_HINT, OWNER_PATTERN, app_claim, owner_of

FIELDS = ("name", "owner")


@dataclass(frozen=True)
class AppArgs(CheckedArgs):
    """Inputs of a Koyeb app."""

    KIND = "koyeb:App"

    name: pulumi.Input[str]
    """Physical app name (``<project>-<stack>-<name>``), 3-23 characters of a-z, 0-9 and -; unique in the
    Koyeb organization and part of the public ``<app>-<org>.koyeb.app`` host. Renamed in place."""
    owner: pulumi.Input[str]
    """The stack that owns the app, ``"<project>/<stack>"`` (what its services' marker must name)."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ``name`` (Koyeb's limits, as its Terraform provider enforces them) and ``owner``."""
        return {
            "name": reader.string("name", example='"stagecraft-uat-api"', pattern=DNS_LABEL,
                                  pattern_hint=APP_NAME_HINT, max_length=23, min_length=3),
            "owner": reader.string("owner", example='"stagecraft/uat"', pattern=OWNER_PATTERN, pattern_hint=OWNER_HINT),
        }


def _to_outs(app: dict[str, Any], owner: str) -> dict[str, Any]:
    """State of an app: its inputs plus the auto-assigned public domain.

    The app's status is left out on purpose: it follows its services' health (STARTING until they are up),
    so keeping it would make every refresh report a change nobody made.
    """
    domains = app.get("domains") or []
    auto = [d for d in domains if d.get("type", "AUTOASSIGNED") == "AUTOASSIGNED" and d.get("name")]
    return {"name": app.get("name"), "owner": owner, "domain": auto[0]["name"] if auto else ""}


def _foreign(koyeb: KoyebClient, services: list[dict[str, Any]], owner: str) -> list[dict[str, Any]]:
    """The services whose definition does not carry this stack's marker."""
    return [s for s in services if owner_of((latest_deployment(koyeb, s) or {}).get("definition")) != owner]


class AppProvider(ResourceProvider):
    """CRUD for Koyeb apps. Credentials come from KOYEB_TOKEN / KOYEB_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return AppArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=(), unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: AppArgs = AppArgs.from_props(props)
        with KoyebClient.from_env() as koyeb:

            def holds_our_service(app: dict[str, Any]) -> bool:
                services = koyeb.list_services(app["id"])
                return bool(services) and not _foreign(koyeb, services, args.owner)

            app, _ = create_owned(
                lambda: koyeb.create_app(args.name),
                lambda: koyeb.find_app(args.name),
                claim=app_claim(args.name, args.owner),
                timing=koyeb.timing,
                proves_ownership=holds_our_service,
                created_at=lambda found: parse_timestamp(found.get("created_at")),
                name_taken=is_name_taken,
            )
            return CreateResult(app["id"], _to_outs(app, args.owner))

    def read(self, id_: str, props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                app = koyeb.get_app(id_)
            except NotFound:
                return ReadResult("", {})
        if app.get("status") in GONE_STATUSES:
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(app, props.get("owner", "")))

    def update(self, id_: str, olds: Any, news: Any) -> UpdateResult:
        args: AppArgs = AppArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            # The owner is not stored on a Koyeb app; only a new name is sent.
            app = koyeb.rename_app(id_, args.name) if olds.get("name") != args.name else koyeb.get_app(id_)
            return UpdateResult(_to_outs(app, args.owner))

    def delete(self, id_: str, props: Any) -> None:
        owner = str(props.get("owner") or "")
        with KoyebClient.from_env() as koyeb:
            foreign = _foreign(koyeb, koyeb.list_services(id_), owner)
            if foreign:
                names = ", ".join(f'"{s.get("name")}"' for s in foreign)
                raise ForeignResource(
                    f'{API}: app "{props.get("name", id_)}" holds service(s) {names} that stack {owner} did not '
                    "create, and deleting the app would delete them too, so it was left in place. Move or delete "
                    "those services in the Koyeb control panel, then run pulumi destroy again."
                )
            try:
                koyeb.delete_app(id_)
            except NotFound:
                return
            wait_until(
                lambda: _status_or_gone(koyeb, id_),
                lambda s: ("ready", s) if s in ("GONE", "DELETED") else ("pending", s),
                api=API, what=f'deletion of app "{props.get("name", id_)}"', timing=koyeb.timing,
            )


def _status_or_gone(koyeb: KoyebClient, app_id: str) -> str:
    try:
        return str(koyeb.get_app(app_id).get("status"))
    except NotFound:
        return "GONE"


class App(pulumi.dynamic.Resource, module="koyeb", name="App"):
    """A Koyeb app. Outputs: ``name``, ``owner``, ``domain`` (auto-assigned ``*.koyeb.app`` host); ``id``."""

    name: pulumi.Output[str]
    owner: pulumi.Output[str]
    domain: pulumi.Output[str]

    def __init__(self, resource_name: str, args: AppArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(AppProvider(), resource_name, {**args.to_props(), "domain": None}, opts)
