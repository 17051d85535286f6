"""The shared HTTP layer (providers._http) against httpx.MockTransport: retries, errors, settings, helpers."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from providers import _http as h
from providers._http.retry import backoff_delay, parse_retry_after

TOKEN = "tok-very-secret-123456"
KOYEB_FIELDS_ERROR = {
    "status": 400, "code": "invalid_argument", "message": "Validation error",
    "fields": [{"field": "definition.regions", "description": "must be one of fra, was"}],
}
NEON_ERROR = {"code": "", "message": "branch not found", "request_id": "r-1"}


def settings(**timing: float) -> h.ApiSettings:
    return h.ApiSettings(
        api="Koyeb", base_url="https://app.koyeb.example", headers=h.bearer_headers(TOKEN), secrets=(TOKEN,),
        credential_vars=("KOYEB_TOKEN",), timing=h.Timing(**{"max_attempts": 4, **timing}),
    )


class Script:
    """A MockTransport handler answering a fixed sequence of responses (or raising transport errors)."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]


def client(script: Script, sleeps: list[float], **timing: float) -> h.HttpClient:
    transport = httpx.MockTransport(script)
    return h.HttpClient(settings(**timing), transport=transport, sleep=sleeps.append, rand=lambda: 0.0)


def call(c: h.HttpClient, method: str = "GET", **kw: object) -> object:
    return c.request(method, "/v1/services", operation="create service" if method == "POST" else "get service",
                     resource='"stagecraft-uat-api"', **kw)


# --- retries ---------------------------------------------------------------------------------------------

def test_429_is_retried_after_the_retry_after_seconds():
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": True}))
    sleeps: list[float] = []
    assert call(client(script, sleeps)) == {"ok": True}
    assert sleeps == [7.0]


def test_retry_after_as_http_date_is_honoured():
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    script = Script(httpx.Response(429, headers={"Retry-After": format_datetime(later, usegmt=True)}),
                    httpx.Response(200, json={}))
    sleeps: list[float] = []
    call(client(script, sleeps))
    assert 25 <= sleeps[0] <= 30


def test_retry_after_is_capped():
    script = Script(httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200, json={}))
    sleeps: list[float] = []
    call(client(script, sleeps, max_retry_after=60))
    assert sleeps == [60.0]


def test_backoff_scale_shrinks_every_wait():
    script = Script(httpx.Response(429, headers={"Retry-After": "10"}), httpx.Response(200, json={}))
    sleeps: list[float] = []
    call(client(script, sleeps, scale=0.01))
    assert sleeps == [pytest.approx(0.1)]


def test_5xx_on_get_is_retried_with_growing_backoff():
    script = Script(httpx.Response(503), httpx.Response(500), httpx.Response(502), httpx.Response(200, json=[]))
    sleeps: list[float] = []
    assert call(client(script, sleeps, base_delay=1.0)) == []
    assert sleeps == [0.5, 1.0, 2.0]


def test_jitter_adds_up_to_half_the_nominal_delay():
    timing = h.Timing(base_delay=2.0)
    assert backoff_delay(2, timing, rand=lambda: 0.0) == 2.0
    assert backoff_delay(2, timing, rand=lambda: 1.0) == 4.0


def test_backoff_never_exceeds_max_delay():
    assert backoff_delay(30, h.Timing(base_delay=1.0, max_delay=8.0), rand=lambda: 1.0) == 8.0


def test_retries_stop_after_max_attempts_with_a_server_error():
    script = Script(httpx.Response(503, json={"status": 503, "code": "unavailable", "message": "try later"}))
    sleeps: list[float] = []
    with pytest.raises(h.ServerError) as err:
        call(client(script, sleeps, max_attempts=3))
    assert len(script.requests) == 3
    assert "HTTP 503" in str(err.value) and "after 3 attempts" in str(err.value)


def test_connection_error_on_get_is_retried():
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json={"a": 1}))
    assert call(client(script, [])) == {"a": 1}
    assert len(script.requests) == 2


def test_dropped_response_on_get_is_retried():
    script = Script(httpx.RemoteProtocolError("Server disconnected"), httpx.Response(200, json={}))
    call(client(script, []))
    assert len(script.requests) == 2


def test_post_is_not_retried_on_500():
    script = Script(httpx.Response(500, json={"message": "boom"}), httpx.Response(200, json={}))
    with pytest.raises(h.ServerError):
        call(client(script, []), "POST", json={"name": "x"})
    assert len(script.requests) == 1


def test_post_is_not_retried_after_the_connection_drops_mid_request():
    script = Script(httpx.RemoteProtocolError("Server disconnected"), httpx.Response(200, json={}))
    with pytest.raises(h.TransportError) as err:
        call(client(script, []), "POST", json={"name": "x"})
    assert len(script.requests) == 1
    assert err.value.maybe_applied is True


def test_post_is_not_retried_after_a_read_timeout():
    script = Script(httpx.ReadTimeout("timed out"), httpx.Response(200, json={}))
    with pytest.raises(h.TransportError):
        call(client(script, []), "POST", json={})
    assert len(script.requests) == 1


def test_post_is_retried_when_the_connection_was_never_made():
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json={"id": "1"}))
    assert call(client(script, []), "POST", json={}) == {"id": "1"}
    assert len(script.requests) == 2


def test_post_is_retried_on_429_because_the_server_did_not_act():
    script = Script(httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200, json={"id": "1"}))
    assert call(client(script, []), "POST", json={}) == {"id": "1"}
    assert len(script.requests) == 2


def test_post_marked_idempotent_is_retried_on_500():
    script = Script(httpx.Response(500), httpx.Response(200, json={"id": "1"}))
    assert call(client(script, []), "POST", json={}, idempotent=True) == {"id": "1"}


def test_api_specific_not_applied_status_allows_post_retry():
    script = Script(httpx.Response(423), httpx.Response(201, json={"id": "1"}))
    s = settings()
    neon = h.ApiSettings(api="Neon", base_url=s.base_url, headers=s.headers, secrets=s.secrets,
                         credential_vars=("NEON_API_KEY",), unsafe_retry_statuses=frozenset({423, 429, 503}),
                         timing=s.timing)
    c = h.HttpClient(neon, transport=httpx.MockTransport(script), sleep=lambda _: None)
    assert c.request("POST", "/projects/p/branches", operation="create branch", resource="b", json={}) == {"id": "1"}


def test_400_is_not_retried():
    script = Script(httpx.Response(400, json=KOYEB_FIELDS_ERROR))
    with pytest.raises(h.BadRequest):
        call(client(script, []))
    assert len(script.requests) == 1


# --- errors ----------------------------------------------------------------------------------------------

def test_not_found_names_operation_resource_status_and_api_message():
    script = Script(httpx.Response(404, json=NEON_ERROR))
    with pytest.raises(h.NotFound) as err:
        call(client(script, []))
    text = str(err.value)
    assert text.startswith('Koyeb: get service "stagecraft-uat-api" failed: HTTP 404 Not Found: branch not found')
    assert "GET /v1/services" in text


def test_field_errors_are_listed_in_the_message():
    script = Script(httpx.Response(400, json=KOYEB_FIELDS_ERROR))
    with pytest.raises(h.BadRequest) as err:
        call(client(script, []))
    assert "definition.regions: must be one of fra, was" in str(err.value)


def test_conflict_is_typed():
    with pytest.raises(h.Conflict):
        call(client(Script(httpx.Response(409, json={"message": "already exists"})), []))


def test_unauthorized_hints_at_the_credential_variable():
    with pytest.raises(h.Unauthorized) as err:
        call(client(Script(httpx.Response(401, json={"message": "invalid token"})), []))
    assert "KOYEB_TOKEN" in str(err.value)


def test_token_echoed_by_the_api_is_redacted_from_the_message():
    script = Script(httpx.Response(401, json={"message": f"token {TOKEN} is revoked"}))
    with pytest.raises(h.Unauthorized) as err:
        call(client(script, []))
    assert TOKEN not in str(err.value) and "***" in str(err.value)


def test_secret_values_sent_in_the_request_are_redacted_from_the_message():
    script = Script(httpx.Response(400, json={"message": "value hunter2-password is too weak"}))
    with pytest.raises(h.BadRequest) as err:
        call(client(script, []), "POST", json={"value": "hunter2-password"}, redact=["hunter2-password"])
    assert "hunter2-password" not in str(err.value)


def test_non_json_error_body_is_quoted_truncated():
    script = Script(httpx.Response(502, text="<html>" + "x" * 1000))
    with pytest.raises(h.ServerError) as err:
        call(client(script, [], max_attempts=1))
    assert "<html>" in str(err.value) and len(str(err.value)) < 600


def test_transport_error_names_the_operation_and_attempts():
    with pytest.raises(h.TransportError) as err:
        call(client(Script(httpx.ConnectError("refused")), [], max_attempts=2))
    assert 'get service "stagecraft-uat-api"' in str(err.value) and "after 2 attempts" in str(err.value)


def test_requests_carry_the_auth_header_and_json_accept():
    script = Script(httpx.Response(200, json={}))
    call(client(script, []))
    assert script.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert script.requests[0].headers["accept"] == "application/json"


def test_none_query_parameters_are_dropped():
    script = Script(httpx.Response(200, json={}))
    call(client(script, []), params={"name": "api", "app_id": None})
    assert str(script.requests[0].url) == "https://app.koyeb.example/v1/services?name=api"


def test_base_path_of_the_api_is_kept():
    script = Script(httpx.Response(200, json={}))
    s = settings()
    neon = h.ApiSettings(api="Neon", base_url="https://console.neon.tech/api/v2", headers={}, secrets=(),
                         credential_vars=(), timing=s.timing)
    h.HttpClient(neon, transport=httpx.MockTransport(script)).request("GET", "/projects/p", operation="get project",
                                                                      resource="p")
    assert str(script.requests[0].url) == "https://console.neon.tech/api/v2/projects/p"


def test_non_json_success_body_is_returned_as_text():
    assert call(client(Script(httpx.Response(200, text="OK")), [])) == "OK"


# --- settings --------------------------------------------------------------------------------------------

def test_missing_credential_names_the_variable_and_how_to_set_it():
    with pytest.raises(h.MissingCredentials) as err:
        h.require_env("KOYEB_TOKEN", "Koyeb", "Create a token in the Koyeb console.", environ={})
    assert "KOYEB_TOKEN" in str(err.value) and "export KOYEB_TOKEN=" in str(err.value)


def test_blank_credential_counts_as_missing():
    with pytest.raises(h.MissingCredentials):
        h.require_env("NEON_API_KEY", "Neon", "", environ={"NEON_API_KEY": "  "})


def test_base_url_defaults_when_unset():
    assert h.base_url_from_env("KOYEB_API_URL", "https://app.koyeb.com", "Koyeb", environ={}) == "https://app.koyeb.com"


def test_base_url_without_scheme_is_refused_naming_the_variable():
    with pytest.raises(h.InvalidSetting) as err:
        h.base_url_from_env("NEON_API_URL", "https://console.neon.tech/api/v2", "Neon",
                            environ={"NEON_API_URL": "localhost:1"})
    assert "NEON_API_URL" in str(err.value)


def test_base_url_with_embedded_credentials_is_refused():
    with pytest.raises(h.InvalidSetting):
        h.base_url_from_env("UPSTASH_API_URL", "https://api.upstash.com/v2", "Upstash",
                            environ={"UPSTASH_API_URL": "https://me:key@api.upstash.com/v2"})


def test_timing_reads_its_environment_variables():
    timing = h.Timing.from_env({h.BACKOFF_SCALE_VAR: "0", h.TIMEOUT_VAR: "2.5", h.MAX_ATTEMPTS_VAR: "3",
                                h.WAIT_TIMEOUT_VAR: "9"})
    assert (timing.scale, timing.timeout, timing.max_attempts, timing.wait_timeout) == (0.0, 2.5, 3, 9.0)


def test_bad_timing_value_names_the_variable():
    with pytest.raises(h.InvalidSetting) as err:
        h.Timing.from_env({h.MAX_ATTEMPTS_VAR: "two"})
    assert h.MAX_ATTEMPTS_VAR in str(err.value)


def test_garbled_retry_after_is_ignored():
    assert parse_retry_after("soon") is None


def test_basic_auth_header_encodes_email_and_key():
    assert h.basic_headers("me@example.com", "k") == {"Authorization": "Basic bWVAZXhhbXBsZS5jb206aw=="}


# --- waiting -----------------------------------------------------------------------------------------

def test_wait_returns_once_ready():
    states = iter(["STARTING", "STARTING", "HEALTHY"])
    got = h.wait_until(lambda: next(states), lambda s: ("ready" if s == "HEALTHY" else "pending", s),
                       api="Koyeb", what="service x", timing=h.Timing(scale=0))
    assert got == "HEALTHY"


def test_wait_gives_up_with_a_timeout_naming_the_last_state_and_setting():
    ticks = iter(range(100))
    with pytest.raises(h.WaitTimeout) as err:
        h.wait_until(lambda: "STARTING", lambda s: ("pending", s), api="Koyeb", what='service "api"',
                     timing=h.Timing(wait_timeout=5, scale=0), clock=lambda: float(next(ticks)))
    assert "STARTING" in str(err.value) and h.WAIT_TIMEOUT_VAR in str(err.value)


def test_wait_stops_on_a_failed_state():
    with pytest.raises(h.ResourceFailed) as err:
        h.wait_until(lambda: "UNHEALTHY", lambda s: ("failed", s), api="Koyeb", what='service "api"',
                     timing=h.Timing(scale=0))
    assert "UNHEALTHY" in str(err.value)


# --- check / diff helpers --------------------------------------------------------------------------------

def test_input_reader_names_the_field_and_an_example():
    reader = h.InputReader({}, "koyeb:Service")
    reader.string("docker_image", example='"ghcr.io/acme/api:1.0"')
    assert reader.failures[0].property == "docker_image"
    assert "koyeb:Service.docker_image: is required" in reader.failures[0].reason


def test_input_reader_turns_engine_floats_into_ints():
    assert h.InputReader({"port": 8000.0}, "k").integer("port") == 8000


def test_input_reader_passes_unknowns_through():
    reader = h.InputReader({"app_id": h.UNKNOWN}, "k")
    assert reader.string("app_id") == h.UNKNOWN and reader.failures == []


def test_diff_ignores_int_float_and_tuple_list_differences():
    result = h.diff_props({"port": 8000.0, "regions": ["fra"]}, {"port": 8000, "regions": ("fra",)},
                          fields=["port", "regions"], immutable=[], unique_name=True)
    assert result.changes is False


def test_diff_renaming_a_unique_name_creates_the_new_one_before_the_old_goes():
    result = h.diff_props({"name": "a", "port": 1}, {"name": "b", "port": 1}, fields=["name", "port"],
                          immutable=["name"], unique_name=True)
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, ["name"], False)


def test_diff_replacing_under_the_same_unique_name_deletes_first():
    result = h.diff_props({"name": "a", "app_id": "x"}, {"name": "a", "app_id": "y"}, fields=["name", "app_id"],
                          immutable=["name", "app_id"], unique_name=True)
    assert (result.replaces, result.delete_before_replace) == (["app_id"], True)


def test_diff_treats_unknown_values_as_changes():
    result = h.diff_props({"app_id": "a"}, {"app_id": h.UNKNOWN}, fields=["app_id"], immutable=["app_id"],
                          unique_name=False)
    assert result.replaces == ["app_id"] and result.delete_before_replace is False


# --- connection pools ------------------------------------------------------------------------------------

def test_calls_with_the_same_settings_share_one_connection_pool():
    first, second = h.HttpClient(settings()), h.HttpClient(settings())
    first.close()
    assert first._http is second._http and not second._http.is_closed


def test_a_different_credential_gets_its_own_pool():
    other = h.ApiSettings(api="Koyeb", base_url="https://app.koyeb.com", headers=h.bearer_headers("other"),
                          secrets=("other",), credential_vars=("KOYEB_TOKEN",))
    assert h.HttpClient(settings())._http is not h.HttpClient(other)._http


# --- package imports ---------------------------------------------------------------------------------------

PROVIDER_PACKAGES = ("providers._http", "providers._node", "providers.build", "providers.cloudflare", "providers.eas",
                     "providers.koyeb", "providers.local", "providers.neon", "providers.netlify", "providers.postgres",
                     "providers.railway", "providers.render", "providers.supabase", "providers.upstash",
                     "providers.vercel")


def test_importing_a_provider_package_loads_none_of_its_modules():
    # A package whose __init__ imports its modules deadlocks the dynamic-provider host, which unpickles providers
    # on several threads at once (providers/_http/__init__.py says how).
    probe = ("import sys; names = sys.argv[1:]; [__import__(n) for n in names]; "
             "print(sorted(m for m in sys.modules if any(m.startswith(n + '.') for n in names)))")
    loaded = subprocess.run([sys.executable, "-c", probe, *PROVIDER_PACKAGES], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert loaded == "[]"


def test_a_package_export_is_the_submodule_own_object():
    from providers._http.client import HttpClient

    assert h.HttpClient is HttpClient and "HttpClient" in dir(h)
