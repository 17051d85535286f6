"""Koyeb's semantic rules for names and deployment definitions (what the API rejects beyond its schema).

The Koyeb spec declares almost nothing as required, so the service rejects bad definitions itself, with
`400 ErrorWithFields`. Rules here come from the spec's own field descriptions, the official Terraform
provider's validators and Koyeb's free-tier documentation (see platform-apis.md section 1):
- app names 3-23 characters, service names 3-64 (Terraform provider validators), lower-case letters, digits
  and dashes (DNS labels: the app name becomes `<app>-<org>.koyeb.app`);
- secret names "must comply with RFC1123, the DNS naming convention, and can only contain lowercase letters,
  numbers and dashes" (koyeb.com/docs/reference/secrets, "Create a Secret"); 2-64 characters in the Terraform
  provider (`resource_koyeb_secret.go`, `StringLenBetween(2, 64)`) and the control panel's secret form
  (`src/modules/secrets/simple/simple-secret-form.tsx`), and at most 63 as an RFC 1123 label, so 2-63;
- exactly one source (docker, git, archive or database) and a docker image when docker is the source;
- routes and HTTP health checks may only use ports declared in `ports` (spec field titles);
- env entries need a key and exactly one of value / secret, and a referenced secret must exist;
- the `free` instance type runs only in `fra` or `was`, with at most one instance (scalings max <= 1).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SECRET_NAME_LENGTH = (2, 63)
KNOWN_REGIONS = frozenset({"fra", "was", "sin", "par", "sfo", "tyo", "na", "eu", "ap"})
FREE_REGIONS = frozenset({"fra", "was"})
FREE_INSTANCE = "free"
SOURCES = ("docker", "git", "archive", "database")

Field = tuple[str, str]


def check_app_name(name: Any) -> list[Field]:
    """Problems with an app name."""
    if not isinstance(name, str) or not name:
        return [("name", "is required")]
    if not 3 <= len(name) <= 23:
        return [("name", "must be between 3 and 23 characters")]
    if not DNS_LABEL.match(name):
        return [("name", "must contain only lower-case letters, digits and dashes, and start and end with a letter or digit")]
    return []


def check_service_name(name: Any) -> list[Field]:
    """Problems with a service name."""
    if not isinstance(name, str) or not name:
        return [("name", "is required (set `name`, or the deprecated `definition.name`)")]
    if not 3 <= len(name) <= 64:
        return [("name", "must be between 3 and 64 characters")]
    if not DNS_LABEL.match(name):
        return [("name", "must contain only lower-case letters, digits and dashes, and start and end with a letter or digit")]
    return []


def check_secret_name(name: Any) -> list[Field]:
    """Problems with a secret name (an RFC 1123 label: lower-case letters, digits and dashes)."""
    if not isinstance(name, str) or not name:
        return [("name", "is required")]
    low, high = SECRET_NAME_LENGTH
    if not low <= len(name) <= high:
        return [("name", f"must be between {low} and {high} characters")]
    if not DNS_LABEL.match(name):
        return [("name", "must comply with RFC 1123: lower-case letters, digits and dashes, starting and ending "
                         "with a letter or digit")]
    return []


def uses_free_instance(definition: Mapping[str, Any]) -> bool:
    """Whether a definition asks for the `free` instance type."""
    return any((it or {}).get("type") == FREE_INSTANCE for it in definition.get("instance_types") or [])


def check_definition(definition: Any, secret_exists: Callable[[str], bool]) -> list[Field]:
    """Problems with a deployment definition (field paths prefixed with `definition`)."""
    if not isinstance(definition, Mapping) or not definition:
        return [("definition", "is required")]
    problems: list[Field] = []
    sources = [s for s in SOURCES if definition.get(s)]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        problems.append(("definition", f"exactly one source of docker, git, archive or database is required (found: {found})"))
    docker = definition.get("docker")
    if isinstance(docker, Mapping) and not docker.get("image"):
        problems.append(("definition.docker.image", "is required"))
    git = definition.get("git")
    if isinstance(git, Mapping) and not git.get("repository"):
        problems.append(("definition.git.repository", "is required"))

    regions = list(definition.get("regions") or [])
    if not regions:
        problems.append(("definition.regions", "at least one region is required"))
    for index, region in enumerate(regions):
        if region not in KNOWN_REGIONS:
            problems.append((f"definition.regions[{index}]", f"unknown region {region!r}"))

    ports = {p.get("port") for p in definition.get("ports") or [] if isinstance(p, Mapping)}
    for index, port in enumerate(definition.get("ports") or []):
        protocol = (port or {}).get("protocol", "http")
        if protocol not in ("http", "http2", "tcp"):
            problems.append((f"definition.ports[{index}].protocol", "must be one of http, http2, tcp"))
    for index, route in enumerate(definition.get("routes") or []):
        if (route or {}).get("port") not in ports:
            problems.append((f"definition.routes[{index}].port", "must be declared in the ports section"))
        if not str((route or {}).get("path", "")).startswith("/"):
            problems.append((f"definition.routes[{index}].path", "must start with /"))
    for index, check in enumerate(definition.get("health_checks") or []):
        http = (check or {}).get("http")
        tcp = (check or {}).get("tcp")
        probe = http or tcp
        if not probe:
            problems.append((f"definition.health_checks[{index}]", "needs an http or tcp check"))
        elif probe.get("port") not in ports:
            kind = "http" if http else "tcp"
            problems.append((f"definition.health_checks[{index}].{kind}.port", "must be declared in the ports section"))

    for index, env in enumerate(definition.get("env") or []):
        env = env or {}
        if not env.get("key"):
            problems.append((f"definition.env[{index}].key", "is required"))
        has_value, has_secret = "value" in env, bool(env.get("secret"))
        if has_value == has_secret:
            problems.append((f"definition.env[{index}]", "set exactly one of value or secret"))
        elif has_secret and not secret_exists(env["secret"]):
            problems.append((f"definition.env[{index}].secret", f"secret {env['secret']!r} does not exist"))

    for index, scaling in enumerate(definition.get("scalings") or []):
        low, high = (scaling or {}).get("min", 0), (scaling or {}).get("max", 0)
        if low < 0 or high < 1 or low > high:
            problems.append((f"definition.scalings[{index}]", "needs 0 <= min <= max and max >= 1"))

    if uses_free_instance(definition):
        outside = [r for r in regions if r not in FREE_REGIONS]
        if outside:
            problems.append(("definition.regions", f"the free instance runs only in fra or was (got {', '.join(outside)})"))
        if any((s or {}).get("max", 1) > 1 for s in definition.get("scalings") or []):
            problems.append(("definition.scalings", "the free instance allows at most one instance (max 1)"))
        kind = definition.get("type", "WEB")
        if kind not in ("WEB", None):
            problems.append(("definition.type", "the free instance runs web services only"))
    return problems
