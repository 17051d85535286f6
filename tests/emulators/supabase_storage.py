"""Supabase Storage API emulator (per project): buckets and objects, per supabase-storage.openapi.json.

It serves every project of one `SupabaseEmulator` (which holds the projects, their keys and this emulator's
lock). A project's Storage API is `https://<ref>.supabase.co/storage/v1` (storage-py; platform-apis.md §6):
requests reach it by that `Host`, or on loopback as `/<ref>/storage/v1/...`. Behaviour, each rule with its source:
- Keys: the `apikey` header carries one of the project's keys; with a legacy JWT it also goes in
  `Authorization: Bearer` (storage-py sends both). A new `sb_secret_...` key goes in `apikey` alone: it is not a
  JWT, and Supabase's docs say API keys go in `apikey`, never `Authorization` (platform-apis.md §6; that the
  Storage API accepts it this way is UNCONFIRMED). A non-JWT in `Authorization` is `InvalidJWT`. The secret key
  and the `service_role` JWT act as the service role, which bucket changes need (`src/http/routes/bucket/index.ts`
  registers them for the service role); anything else is `AccessDenied`.
- Errors are HTTP 400 with the logical status as a string in the body `{statusCode, code, error, message}`
  (supabase/storage `src/http/error-handler.ts`: a renderable error goes out as 400 unless it is a 500;
  `src/internal/errors/codes.ts` for each): a missing bucket `"404"` `NoSuchBucket` "Bucket not found"; a taken
  bucket id `"409"` `BucketAlreadyExists` "Duplicate"; deleting a bucket with objects `"409"` `ResourceNotEmpty`
  "The bucket you tried to delete is not empty" (`src/storage/storage.ts` `deleteBucket`); an invalid name `"400"`
  `InvalidBucketName` (names of 1-100 characters from `A-Za-z0-9_!.*'() &$=@;:+,?-`, `src/storage/limits.ts`);
  a missing object `"404"` `NoSuchKey` "Object not found".
- Create answers 200 `{name}`; update 200 `{message: "Successfully updated"}` and needs at least one of
  `public`, `file_size_limit`, `allowed_mime_types`; delete 200 `{message: "Successfully deleted"}`. Emptying is a
  queued job ("Empty bucket has been queued. Completion may take up to an hour.", `emptyBucket.ts`): the objects
  go after `set_readiness_delay` further requests that touch the bucket.
- Objects: `POST /object/<bucket>/<key>` uploads the raw bytes (409 `Duplicate` when the key exists, unless
  `x-upsert: true`), `GET /object/authenticated/<bucket>/<key>` (or `/object/<bucket>/<key>`) downloads,
  `DELETE /object/<bucket>/<key>` removes. The key's slashes are part of it (the spec's `{*}` parameter), and the
  bytes are the body, which the generated spec does not declare: they are kept aside while the rest is checked.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from urllib.parse import quote

from .base import ApiRequest, Emulator, Outcome, RawRequest, Reply, handles
from .state import clone, now_rfc3339

if TYPE_CHECKING:
    from .supabase import SupabaseEmulator

_VALID_BUCKET_NAME = re.compile(r"^[A-Za-z0-9_!.*'() &$=@;:+,?-]{1,100}$")
_LOOPBACK_PREFIX = re.compile(r"^/(?P<ref>[a-z]{20})/storage/v1(?P<rest>/.*)$")
_OBJECT_PATH = re.compile(r"^(?P<head>/object/(?:authenticated/|public/)?[^/]+/)(?P<key>.+)$")
_SIZES = {"": 1, "b": 1, "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3}


class StorageError(Exception):
    """A Storage error: HTTP 400 (or 500) with the logical status in the body."""

    def __init__(self, logical: int, code: str, message: str, error: str | None = None):
        super().__init__(message)
        self.body = {"statusCode": str(logical), "code": code, "error": error or code, "message": message}
        self.http_status = 500 if logical == 500 else 400


def no_such_bucket() -> StorageError:
    return StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found")


class SupabaseStorageEmulator(Emulator):
    """The Storage API of every project held by one `SupabaseEmulator`."""

    api = "supabase-storage"
    spec_file = "supabase-storage.openapi.json"
    collections = ("buckets",)
    secret_fields = frozenset()

    def __init__(self, management: "SupabaseEmulator", **options: Any):
        super().__init__(**options)
        self.management = management
        self._lock = management._lock  # one lock over projects and their buckets
        management.storage = self
        self._context = threading.local()

    # ---- used by the management emulator --------------------------------------------------------

    def buckets_of(self, ref: str) -> list[dict[str, Any]]:
        """The buckets of project `ref`, in the API's shape."""
        return [self.render("buckets", b) for b in self.store.values("buckets") if b["_ref"] == ref]

    def forget_project(self, ref: str) -> None:
        """A deleted project's buckets go with it."""
        for key in [k for k, b in self.store.collection("buckets").items() if b["_ref"] == ref]:
            self.store.pop("buckets", key)

    def objects_in(self, ref: str, bucket_id: str) -> dict[str, bytes]:
        """What a bucket holds, key -> bytes (for tests)."""
        with self._lock:
            bucket = self.store.get("buckets", f"{ref}/{bucket_id}")
            return dict(bucket["_objects"]) if bucket else {}

    # ---- routing and hooks -----------------------------------------------------------------------

    def handle(self, raw: RawRequest) -> Outcome:
        if raw.path.startswith("/__emulator__"):
            return super().handle(raw)
        ref, rest = self._route(raw)
        self._context.ref = ref
        self._context.upload = b""
        match = _OBJECT_PATH.match(rest)
        if match:
            rest = match.group("head") + quote(match.group("key"), safe="")
            if raw.method in ("POST", "PUT"):
                self._context.upload = raw.body
                raw = RawRequest(raw.method, rest, raw.query, raw.headers, b"")
        return super().handle(RawRequest(raw.method, rest, raw.query, raw.headers, raw.body))

    def _route(self, raw: RawRequest) -> tuple[str | None, str]:
        host = next((v for k, v in raw.headers.items() if k.lower() == "host"), "").split(":")[0].lower()
        if host.endswith(".supabase.co") and raw.path.startswith("/storage/v1/"):
            return host.split(".")[0], raw.path[len("/storage/v1"):]
        match = _LOOPBACK_PREFIX.match(raw.path)
        return (match.group("ref"), match.group("rest")) if match else (None, raw.path)

    def authenticate(self, headers: Mapping[str, str]) -> bool:
        return self._role(headers) is not None

    def _role(self, headers: Mapping[str, str]) -> str | None:
        ref = getattr(self._context, "ref", None)
        keys = {k["api_key"]: k for k in self.management.project_keys(ref)} if ref else {}
        lowered = {k.lower(): v for k, v in headers.items()}
        apikey = keys.get(lowered.get("apikey", ""))
        if apikey is None:
            return None
        bearer = lowered.get("authorization", "")
        if bearer:
            token = bearer.partition(" ")[2].strip()
            found = keys.get(token)
            if found is None or found["type"] != "legacy":
                return "invalid-jwt"
            return found["name"]
        return {"secret": "service_role", "publishable": "anon"}.get(apikey["type"], apikey["name"])

    def error_body(self, status: int, message: str, fields: Sequence[tuple[str, str]] = ()) -> Any:
        code = {401: "InvalidJWT", 404: "NotFound", 429: "SlowDown"}.get(status, "InternalError")
        return {"statusCode": str(status), "code": code, "error": code, "message": message}

    def render(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        return {k: clone(v) for k, v in record.items() if not k.startswith("_")}

    def _dispatch(self, checked, raw) -> Reply:
        try:
            if checked.operation is not None and not checked.problems and self._role(raw.headers) == "invalid-jwt":
                raise StorageError(400, "InvalidJWT", "invalid JWT: unable to parse or verify signature")
            return super()._dispatch(checked, raw)
        except StorageError as err:
            return Reply(err.http_status, err.body)

    def _encode(self, reply: Reply) -> Outcome:
        if isinstance(reply.body, bytes):
            return Outcome(reply.status, reply.body, list(reply.headers.items()))
        return super()._encode(reply)

    def _check_response(self, checked, raw, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            return  # an object's bytes; the spec declares only errors for downloads
        super()._check_response(checked, raw, reply)

    # ---- helpers ---------------------------------------------------------------------------------

    def _service_role(self, request: ApiRequest) -> None:
        if self._role(request.headers) != "service_role":
            raise StorageError(403, "AccessDenied", "new row violates row-level security policy", "Unauthorized")

    def _bucket(self, request: ApiRequest, bucket_id: str) -> dict[str, Any]:
        bucket = self.store.get("buckets", f"{self._context.ref}/{bucket_id}")
        if bucket is None:
            raise no_such_bucket()
        if bucket["_emptying"] and self.touch(request, f"empty:{bucket['_ref']}/{bucket['id']}"):
            bucket["_objects"].clear()
            bucket["_emptying"] = False
        return bucket

    @staticmethod
    def _size(value: Any) -> int | None:
        if value is None or isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([kmg]?b?)\s*", str(value).lower())
        if not match:
            raise StorageError(400, "InvalidRequest", f"file_size_limit {value!r} is not a size like 100MB")
        return int(match.group(1)) * _SIZES[match.group(2)]

    # ---- buckets ---------------------------------------------------------------------------------

    @handles("POST /bucket/")
    def create_bucket(self, request: ApiRequest) -> Reply:
        self._service_role(request)
        body = request.body
        bucket_id = body.get("id") or body["name"]
        if not _VALID_BUCKET_NAME.match(bucket_id):
            raise StorageError(400, "InvalidBucketName", "Bucket name invalid", "Invalid Input")
        key = f"{self._context.ref}/{bucket_id}"
        if self.store.get("buckets", key) is not None:
            raise StorageError(409, "BucketAlreadyExists", "The resource already exists", "Duplicate")
        now = now_rfc3339()
        self.store.put("buckets", key, {
            "id": bucket_id, "name": body["name"], "owner": "", "public": bool(body.get("public", False)),
            "type": body.get("type", "STANDARD"), "file_size_limit": self._size(body.get("file_size_limit")),
            "allowed_mime_types": clone(body.get("allowed_mime_types")), "created_at": now, "updated_at": now,
            "_ref": self._context.ref, "_objects": {}, "_emptying": False,
        })
        return Reply(200, {"name": body["name"]})

    @handles("GET /bucket/")
    def list_buckets(self, request: ApiRequest) -> Reply:
        query = request.query
        found = [b for b in self.store.values("buckets") if b["_ref"] == self._context.ref
                 and (not query.get("search") or query["search"] in b["name"])]
        column = query.get("sortColumn", "name")
        found.sort(key=lambda b: b.get(column) or "", reverse=query.get("sortOrder") == "desc")
        offset = int(query.get("offset") or 0)
        limit = int(query.get("limit") or len(found) or 1)
        return Reply(200, [self.render("buckets", b) for b in found[offset:offset + limit]])

    @handles("GET /bucket/{bucketId}")
    def get_bucket(self, request: ApiRequest) -> Reply:
        return Reply(200, self.render("buckets", self._bucket(request, request.path_params["bucketId"])))

    @handles("PUT /bucket/{bucketId}")
    def update_bucket(self, request: ApiRequest) -> Reply:
        self._service_role(request)
        bucket = self._bucket(request, request.path_params["bucketId"])
        body = request.body or {}
        changes = {k: body[k] for k in ("public", "file_size_limit", "allowed_mime_types") if k in body}
        if not changes:
            raise StorageError(400, "InvalidRequest", "No content provided")
        if "file_size_limit" in changes:
            changes["file_size_limit"] = self._size(changes["file_size_limit"])
        bucket.update(clone(changes), updated_at=now_rfc3339())
        return Reply(200, {"message": "Successfully updated"})

    @handles("DELETE /bucket/{bucketId}")
    def delete_bucket(self, request: ApiRequest) -> Reply:
        self._service_role(request)
        bucket = self._bucket(request, request.path_params["bucketId"])
        if bucket["_objects"]:
            raise StorageError(409, "ResourceNotEmpty", "The bucket you tried to delete is not empty")
        self.store.pop("buckets", f"{bucket['_ref']}/{bucket['id']}")
        return Reply(200, {"message": "Successfully deleted"})

    @handles("POST /bucket/{bucketId}/empty")
    def empty_bucket(self, request: ApiRequest) -> Reply:
        self._service_role(request)
        bucket = self._bucket(request, request.path_params["bucketId"])
        bucket["_emptying"] = True
        self.readiness.start(f"empty:{bucket['_ref']}/{bucket['id']}", max(1, self.readiness_polls))
        return Reply(200, {"message": "Empty bucket has been queued. Completion may take up to an hour."})

    # ---- objects ---------------------------------------------------------------------------------

    def _object_key(self, request: ApiRequest) -> tuple[dict[str, Any], str]:
        return self._bucket(request, request.path_params["bucketName"]), str(request.path_params["*"])

    @handles("POST /object/{bucketName}/{*}", "PUT /object/{bucketName}/{*}")
    def upload_object(self, request: ApiRequest) -> Reply:
        bucket, key = self._object_key(request)
        upsert = str(next((v for k, v in request.headers.items() if k.lower() == "x-upsert"), "")).lower() == "true"
        if request.method == "POST" and key in bucket["_objects"] and not upsert:
            raise StorageError(409, "Duplicate", "The resource already exists", "Duplicate")
        data = self._context.upload
        limit = bucket["file_size_limit"]
        if limit is not None and len(data) > limit:
            raise StorageError(413, "EntityTooLarge", "The object exceeded the maximum allowed size", "Payload too large")
        bucket["_objects"][key] = data
        return Reply(200, {"Id": f"{bucket['id']}/{key}", "Key": f"{bucket['id']}/{key}"})

    @handles("GET /object/{bucketName}/{*}", "GET /object/authenticated/{bucketName}/{*}")
    def download_object(self, request: ApiRequest) -> Reply:
        bucket, key = self._object_key(request)
        if key not in bucket["_objects"]:
            raise StorageError(404, "NoSuchKey", "Object not found", "not_found")
        return Reply(200, bucket["_objects"][key], {"Content-Type": "application/octet-stream"})

    @handles("DELETE /object/{bucketName}/{*}")
    def delete_object(self, request: ApiRequest) -> Reply:
        bucket, key = self._object_key(request)
        if bucket["_objects"].pop(key, None) is None:
            raise StorageError(404, "NoSuchKey", "Object not found", "not_found")
        return Reply(200, {"message": "Successfully deleted"})
