"""Render's platform rules beyond its spec's schemas: ids, cursor pagination, rate limits, deploy statuses.

Each rule with its source:
- Ids are a type prefix and 20 lower-case base-32 characters: `srv-ct6vmvdj0q5s700ckfv0`, `dep-...`,
  `red-...`, `tea-...` (render-oss/terraform-provider-render recorded cassettes, e.g.
  `internal/provider/webservice/resource/testdata/web_service_image_cassette.yaml`).
- Lists are arrays of wrappers, each item carrying its own `cursor` (`serviceWithCursor`, `envVarWithCursor`,
  `keyValueWithCursor`, ... in the spec); a client passes the last item's cursor to get the next page, and the
  page after the last one is `[]` (platform-apis.md §2; the Terraform provider stops when a page is shorter than
  `limit`, `internal/provider/common/client.go` `getCustomDomains`). `limit` defaults to 20, at most 100 (spec).
- Rate limits (api-docs.render.com/reference/rate-limiting, platform-apis.md §2): creating a service 20 per
  hour per user; updating a service and triggering a deploy (also suspend, resume) 10 per minute per service;
  every other POST, PATCH, PUT or DELETE 30 per minute; every GET 400 per minute. A refusal is 429 with
  `Ratelimit-Limit/-Remaining/-Reset` (the cassettes show `Ratelimit-Reset` as seconds until the reset, e.g. 34)
  and `Retry-After` (what the Terraform provider's client waits for, `internal/provider/client.go`).
- Deploy statuses (spec `deployStatus`): `created`, `queued`, `build_in_progress`, `update_in_progress`,
  `pre_deploy_in_progress` are in progress; `live`, `deactivated`, `build_failed`, `update_failed`,
  `pre_deploy_failed`, `canceled` are final (render-oss/cli `pkg/deploy/util.go` `IsComplete`).
"""

from __future__ import annotations

import base64
from typing import Any, Callable, Mapping, Sequence

from .base import ApiError, ApiRequest
from .rate_limits import RateLimit

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100

IN_PROGRESS = frozenset({"created", "queued", "build_in_progress", "update_in_progress", "pre_deploy_in_progress"})
FINAL = frozenset({"live", "deactivated", "build_failed", "update_failed", "pre_deploy_failed", "canceled"})

CREATE_SERVICE = RateLimit("create service (20 per hour per user)", 20, 3600)
DEPLOY_OR_UPDATE = RateLimit("update or deploy a service (10 per minute per service)", 10, 60)
OTHER_WRITE = RateLimit("POST/PATCH/PUT/DELETE (30 per minute per user)", 30, 60)
READ = RateLimit("GET (400 per minute per user)", 400, 60)

_PER_SERVICE_OPERATIONS = frozenset({"update-service", "create-deploy", "suspend-service", "resume-service"})


def limits_for(request: ApiRequest) -> tuple[tuple[RateLimit, ...], str]:
    """The limits a request counts against, and the key it counts under (the user, or the service)."""
    if request.operation_id == "create-service":
        return (CREATE_SERVICE,), "user"
    if request.operation_id in _PER_SERVICE_OPERATIONS:
        return (DEPLOY_OR_UPDATE,), f"service:{request.path_params.get('serviceId')}"
    if request.method == "GET":
        return (READ,), "user"
    return (OTHER_WRITE,), "user"


def cursor_of(item_id: str) -> str:
    """The opaque cursor of a list item (its id, encoded)."""
    return base64.urlsafe_b64encode(item_id.encode()).decode().rstrip("=")


def page(items: Sequence[Mapping[str, Any]], query: Mapping[str, Any], key: str,
         render: Callable[[Mapping[str, Any]], Any], ident: Callable[[Mapping[str, Any]], str]) -> list[dict[str, Any]]:
    """One page of `[{cursor, <key>: item}]` after `query["cursor"]`, at most `query["limit"]` long."""
    limit = int(query.get("limit", DEFAULT_LIMIT))
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}")
    start = 0
    cursor = query.get("cursor")
    if cursor:
        positions = [i for i, item in enumerate(items) if cursor_of(ident(item)) == cursor]
        if not positions:
            raise ApiError(400, "invalid cursor")
        start = positions[0] + 1
    return [{"cursor": cursor_of(ident(item)), key: render(item)} for item in items[start:start + limit]]
