"""Reading the product's /api/health answer, whatever comes back."""

import json

from tools.ops.health import parse_health
from tools.ops.probe import judge

HEALTHY = {"status": "ok", "environment": "uat", "checks": {
    "database": {"ok": True, "latencyMs": 12.5, "extensions": ["vector", "pg_trgm", "uuid-ossp"]},
    "redis": {"ok": True, "latencyMs": 1.5}, "storage": {"ok": True, "latencyMs": 3}}}
DEGRADED = {"status": "degraded", "environment": "uat", "checks": {
    "database": {"ok": True, "latencyMs": 9.0}, "redis": {"ok": False, "latencyMs": 2000.0, "error": "timed out"}}}


def test_a_healthy_document_gives_the_database_check_latency():
    report = parse_health(json.dumps(HEALTHY).encode())
    assert (report.status, report.environment, report.database_ms) == ("ok", "uat", 12.5)


def test_an_html_page_is_not_a_health_document():
    report = parse_health(b"<!doctype html><html><body>SPA fallback</body></html>")
    assert not report.is_document and "not JSON" in report.problem


def test_json_without_a_status_is_not_a_health_document():
    assert not parse_health(b'{"checks": {}}').is_document


def test_a_latency_of_the_wrong_type_is_left_out_rather_than_guessed():
    document = {"status": "ok", "checks": {"database": {"ok": True, "latencyMs": "12"}, "redis": "up"}}
    report = parse_health(json.dumps(document).encode())
    assert report.database_ms is None and report.checks["redis"].ok is None


def test_a_negative_or_infinite_latency_is_left_out():
    for value in (-1, 1e400):
        document = {"status": "ok", "checks": {"database": {"ok": True, "latencyMs": value}}}
        assert parse_health(json.dumps(document).encode()).database_ms is None


def test_a_degraded_answer_is_a_failed_probe_naming_the_failed_check_and_its_error():
    result = judge("uat", "http://x/api/health", 0.0, 10.0, 200, json.dumps(DEGRADED).encode())
    assert not result.ok and result.error == "status 'degraded' (failed checks: redis: timed out)"
    assert result.db_ms == 9.0


def test_the_products_503_for_a_degraded_api_says_which_check_failed():
    result = judge("uat", "http://x/api/health", 0.0, 10.0, 503, json.dumps(DEGRADED).encode())
    assert result.error == "HTTP 503: status 'degraded' (failed checks: redis: timed out)"


def test_a_non_2xx_answer_is_a_failed_probe_even_with_a_healthy_body():
    result = judge("uat", "http://x/api/health", 0.0, 10.0, 503, json.dumps(HEALTHY).encode())
    assert not result.ok and result.error.startswith("HTTP 503")


def test_a_2xx_page_that_is_not_a_health_document_is_a_failed_probe():
    result = judge("uat", "http://x/api/health", 0.0, 10.0, 200, b"<html>index</html>")
    assert not result.ok and "not JSON" in result.error
