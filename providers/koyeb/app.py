"""Koyeb app: the container of services, addressed by its unique name (``pulumi-python:dynamic/koyeb:App``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._http import CheckedArgs, InputReader, NotFound, create_or_adopt, diff_props, wait_until
from .client import API, APP_NAME_HINT, DNS_LABEL, GONE_STATUSES, KoyebClient

FIELDS = ("name",)


@dataclass(frozen=True)
class AppArgs(CheckedArgs):
    """Inputs of a Koyeb app."""

    KIND = "koyeb:App"

    name: pulumi.Input[str]
    """Physical app name (``<project>-<stack>-<name>``), 3-23 characters of a-z, 0-9 and -; unique in the
    Koyeb organization and part of the public ``<app>-<org>.koyeb.app`` host. Renamed in place."""

    @classmethod
    def read_inputs(cls, reader: InputReader) -> dict[str, Any]:
        """Validate ``name`` (Koyeb's limits, as its Terraform provider enforces them)."""
        return {"name": reader.string("name", example='"stagecraft-uat-api"', pattern=DNS_LABEL,
                                      pattern_hint=APP_NAME_HINT, max_length=23, min_length=3)}


def _to_outs(app: dict[str, Any]) -> dict[str, Any]:
    """State of an app: its input plus the auto-assigned public domain.

    The app's status is left out on purpose: it follows its services' health (STARTING until they are up),
    so keeping it would make every refresh report a change nobody made.
    """
    domains = app.get("domains") or []
    auto = [d for d in domains if d.get("type", "AUTOASSIGNED") == "AUTOASSIGNED" and d.get("name")]
    return {"name": app.get("name"), "domain": auto[0]["name"] if auto else ""}


class AppProvider(ResourceProvider):
    """CRUD for Koyeb apps. Credentials come from KOYEB_TOKEN / KOYEB_API_URL at call time."""

    def check(self, _olds: Any, news: Any):
        return AppArgs.check(news)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        return diff_props(olds, news, fields=FIELDS, immutable=(), unique_name=True)

    def create(self, props: Any) -> CreateResult:
        args: AppArgs = AppArgs.from_props(props)
        with KoyebClient.from_env() as koyeb:
            app, _ = create_or_adopt(
                lambda: koyeb.find_app(args.name), lambda: koyeb.create_app(args.name), timing=koyeb.timing
            )
            return CreateResult(app["id"], _to_outs(app))

    def read(self, id_: str, _props: Any) -> ReadResult:
        with KoyebClient.from_env() as koyeb:
            try:
                app = koyeb.get_app(id_)
            except NotFound:
                return ReadResult("", {})
        if app.get("status") in GONE_STATUSES:
            return ReadResult("", {})
        return ReadResult(id_, _to_outs(app))

    def update(self, id_: str, _olds: Any, news: Any) -> UpdateResult:
        args: AppArgs = AppArgs.from_props(news)
        with KoyebClient.from_env() as koyeb:
            return UpdateResult(_to_outs(koyeb.rename_app(id_, args.name)))

    def delete(self, id_: str, props: Any) -> None:
        with KoyebClient.from_env() as koyeb:
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
    """A Koyeb app. Outputs: ``name``, ``domain`` (auto-assigned ``*.koyeb.app`` host); ``id``."""

    name: pulumi.Output[str]
    domain: pulumi.Output[str]

    def __init__(self, resource_name: str, args: AppArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(AppProvider(), resource_name, {**args.to_props(), "domain": None}, opts)
