"""The `/__emulator__/...` control endpoints (not part of any vendor API, never validated against a spec).

They let a test in another process (e.g. one running `pulumi up` against `python -m tests.emulators`)
read conformance counts and remaining objects, and arm faults:

- `GET  /__emulator__/stats`               conformance counts, violations, faults fired, object counts
- `GET  /__emulator__/objects[/<name>]`    what the account holds (secret fields shown as "<redacted>")
- `GET  /__emulator__/requests`            the request log as [method, path, status]
- `POST /__emulator__/faults`              {"kind": "429"|"503"|"timeout"|"drop_after_action"|...,
                                            "retry_after", "seconds", "method", "path", "times"}
- `POST /__emulator__/rate`                {"fraction", "seed", "kinds", "method", "path", "retry_after"}
- `DELETE /__emulator__/faults`            disarm everything
- `POST /__emulator__/settings`            {"latency": seconds, "readiness_polls": n}
- `POST /__emulator__/actions/<name>`      the platform behaviour an emulator lists in `control_actions`
                                            (e.g. Neon `idle_endpoint` {"endpoint_id"}), keyword arguments as JSON

`fetch_stats`/`fetch_objects`/`arm_fault`/`run_action` are small clients for them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from .base import CONTROL_PREFIX, Outcome, RawRequest
from .faults import Fault, fault_from_kind

if TYPE_CHECKING:
    from .base import Emulator

REDACTED = "<redacted>"


def redact(value: Any, secret_fields: frozenset[str]) -> Any:
    """A copy of `value` with every member named in `secret_fields` replaced by a marker."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in secret_fields and v not in (None, "") else redact(v, secret_fields)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secret_fields) for v in value]
    return value


def _json(status: int, body: Any) -> Outcome:
    return Outcome(status, json.dumps(body).encode("utf-8"), [("Content-Type", "application/json")])


def _problem(status: int, message: str) -> Outcome:
    return _json(status, {"error": message})


def handle_control(emulator: "Emulator", raw: RawRequest) -> Outcome:
    """Serve one control request."""
    route = raw.path[len(CONTROL_PREFIX) :].strip("/")
    try:
        payload = json.loads(raw.body) if raw.body.strip() else {}
    except ValueError:
        return _problem(400, "control request body must be JSON")
    if not isinstance(payload, dict):
        return _problem(400, "control request body must be a JSON object")
    try:
        if raw.method == "GET" and route == "stats":
            return _json(200, emulator.stats())
        if raw.method == "GET" and route == "requests":
            return _json(200, [list(r) for r in list(emulator.requests)])
        if raw.method == "GET" and (route == "objects" or route.startswith("objects/")):
            names = [route.split("/", 1)[1]] if "/" in route else list(emulator.store.names())
            unknown = [n for n in names if n not in emulator.store.names()]
            if unknown:
                return _problem(404, f"unknown collection {unknown[0]!r}; known: {', '.join(emulator.store.names())}")
            found = {n: redact(emulator.objects(n), emulator.secret_fields) for n in names}
            return _json(200, found if "/" not in route else found[names[0]])
        if raw.method == "POST" and route == "faults":
            kind = str(payload.get("kind", ""))
            if kind.isdigit():
                fault = Fault.status(int(kind), retry_after=payload.get("retry_after"))
            else:
                fault = fault_from_kind(kind, timeout_seconds=float(payload.get("seconds", 5.0)))
            emulator.inject(fault, method=payload.get("method"), path=payload.get("path"), times=payload.get("times", 1))
            return _json(200, {"armed": fault.describe()})
        if raw.method == "POST" and route == "rate":
            emulator.inject_rate(
                float(payload["fraction"]),
                int(payload.get("seed", 0)),
                tuple(payload.get("kinds") or ("429", "500", "503", "drop_after_action")),
                method=payload.get("method"),
                path=payload.get("path"),
                retry_after=payload.get("retry_after", 1),
            )
            return _json(200, {"rate": payload["fraction"]})
        if raw.method == "DELETE" and route == "faults":
            emulator.clear_faults()
            return _json(200, {"cleared": True})
        if raw.method == "POST" and route == "settings":
            if "latency" in payload:
                emulator.set_latency(float(payload["latency"]))
            if "readiness_polls" in payload:
                emulator.set_readiness_delay(int(payload["readiness_polls"]))
            return _json(200, {"latency": emulator.latency, "readiness_polls": emulator.readiness_polls})
        if raw.method == "POST" and route.startswith("actions/"):
            action = route.split("/", 1)[1]
            allowed = getattr(emulator, "control_actions", ())
            if action not in allowed:
                return _problem(404, f"no action {action!r} on the {emulator.api} emulator; known: {', '.join(allowed)}")
            return _json(200, {"action": action, "result": getattr(emulator, action)(**payload)})
    except (KeyError, TypeError, ValueError) as exc:
        return _problem(400, f"bad control request: {exc}")
    return _problem(404, f"no control endpoint {raw.method} {raw.path}")


def fetch_stats(base_url: str, *, timeout: float = 5.0) -> dict[str, Any]:
    """GET the stats of an emulator served at `base_url`."""
    response = httpx.get(f"{base_url}{CONTROL_PREFIX}/stats", timeout=timeout)
    response.raise_for_status()
    return response.json()


def fetch_objects(base_url: str, collection: str | None = None, *, timeout: float = 5.0) -> Any:
    """GET the (redacted) objects an emulator at `base_url` holds, all collections or one."""
    suffix = f"/{collection}" if collection else ""
    response = httpx.get(f"{base_url}{CONTROL_PREFIX}/objects{suffix}", timeout=timeout)
    response.raise_for_status()
    return response.json()


def arm_fault(base_url: str, kind: str, *, timeout: float = 5.0, **options: Any) -> dict[str, Any]:
    """Arm one fault on an emulator at `base_url` (options: method, path, times, retry_after, seconds)."""
    response = httpx.post(f"{base_url}{CONTROL_PREFIX}/faults", json={"kind": kind, **options}, timeout=timeout)
    response.raise_for_status()
    return response.json()


def run_action(base_url: str, action: str, *, timeout: float = 5.0, **arguments: Any) -> Any:
    """Run one of the emulator's `control_actions` (e.g. Neon `idle_endpoint`) at `base_url`; return its result."""
    response = httpx.post(f"{base_url}{CONTROL_PREFIX}/actions/{action}", json=arguments, timeout=timeout)
    response.raise_for_status()
    return response.json()["result"]
