"""The comparison page in headless Chromium (Debian's package): it renders offline, shows every environment and
figure, and its screenshot is kept under out/test-artifacts. The JSON beside it validates against its schema."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.emulators import NeonEmulator
from tests.machine import closed_port
from tests.tools.health_servers import Behaviour, Farm, lognormal_latencies
from tests.tools.system import artifact_path, program
from tools.cli import main
from tools.ops.report_html import CSP
from tools.ops.svg import format_ms

# Reports, from inside the page, what Chromium laid out and whether anything was fetched.
MEASURE = """<script>
addEventListener('load', () => {
  const svgs = [...document.querySelectorAll('svg')].map(s => { const r = s.getBoundingClientRect();
    return {label: s.getAttribute('aria-label'), width: r.width, height: r.height, shapes: s.querySelectorAll('rect,line,circle').length}; });
  const out = document.createElement('pre'); out.id = 'measured';
  out.textContent = JSON.stringify({text: document.body.innerText, svgs,
    resources: performance.getEntriesByType('resource').map(e => e.name)});
  document.body.appendChild(out);
});
</script>"""


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    chromium = program("chromium", "chromium", "fonts-dejavu-core")
    # Any attempt to reach the network would go to a closed port and an unresolvable host.
    offline = [f"--proxy-server=http://127.0.0.1:{closed_port()}", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--user-data-dir={cwd / 'profile'}"]
    return subprocess.run([chromium, *offline, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        length = struct.unpack(">I", data[offset:offset + 4])[0]
        if data[offset + 4:offset + 8] == b"IDAT":
            chunks.append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels[::7]))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    neon = NeonEmulator(api_key="neon-key")
    project = neon.add_project("stagecraft")
    neon.set_consumption(project, synthetic_storage_size=450_000_000, compute_time_seconds=30 * 3600,
                         data_transfer_bytes=7_500_000_000)
    with Farm() as farm, neon.serve() as neon_url, pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.endswith(("_TOKEN", "_API_KEY", "_EMAIL")):
                env.delenv(name)
        env.setenv("NEON_API_URL", neon_url)
        env.setenv("NEON_API_KEY", "neon-key")
        farm.add("uat", Behaviour(latencies_ms=lognormal_latencies(40, 0.3, 10, 1), db_ms=(8.0,)))
        farm.add("beta", Behaviour(latencies_ms=lognormal_latencies(90, 0.3, 10, 2), fail_every=5, db_ms=(45.0,)))
        farm.add("preprod", Behaviour(latencies_ms=lognormal_latencies(25, 0.3, 10, 3), db_ms=(150.0,)))
        endpoints = folder / "endpoints.json"
        endpoints.write_text(json.dumps({name: s.health_url for name, s in farm.servers.items()}))
        assert main(["compare", "--endpoints", str(endpoints), "--samples", "10", "--usage",
                     "--out", str(folder / "out")]) == 0
    return folder / "out"


@pytest.fixture(scope="module")
def measured(report):
    page = (report / "environment_comparison.html").read_text()
    instrumented = page.replace(f'content="{CSP}"', f'content="{CSP}; script-src \'unsafe-inline\'"')
    instrumented = instrumented.replace("</body>", MEASURE + "</body>")
    copy = report / "instrumented.html"
    copy.write_text(instrumented)
    done = _chromium("--dump-dom", copy.as_uri(), cwd=report)
    assert done.returncode == 0, done.stderr[-2000:]
    start = done.stdout.index('<pre id="measured">') + len('<pre id="measured">')
    text = done.stdout[start:done.stdout.index("</pre>", start)]
    return json.loads(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))


def test_the_page_loads_nothing_from_anywhere(report, measured):
    assert measured["resources"] == []
    page = (report / "environment_comparison.html").read_text()
    for attribute in ('src="http', "src='http", 'href="http', "href='http", "@import", "url("):
        assert attribute not in page


def test_every_environment_and_figure_is_on_the_rendered_page(report, measured):
    document = json.loads((report / "environment_comparison.json").read_text())
    text = measured["text"]
    for name, environment in document["environments"].items():
        latency = environment["latencyMs"]
        shown = [name, format_ms(latency["avg"]), format_ms(latency["p95"]), format_ms(latency["p99"]),
                 f"{environment['successRate'] * 100:.2f} %", format_ms(environment["dbQueryMs"]["avg"]),
                 f"{environment['uptime']['1h'] * 100:.3f} %", f"{environment['successes']}/{environment['samples']}"]
        missing = [figure for figure in shown if figure not in text]
        assert not missing, f"{name}: {missing} not on the page"
    for category, winner in document["winners"].items():
        assert winner is None or winner in text
    for target in document["targets"].values():
        assert target["description"] in text


def test_free_tier_usage_is_on_the_page_with_its_levels(report, measured):
    document = json.loads((report / "environment_comparison.json").read_text())
    readings = {m["id"]: m for p in document["usage"]["platforms"] for m in p["measurements"]}
    assert (readings["neon.storage-gb"]["level"], readings["neon.egress-gb"]["level"]) == ("warning", "error")
    text = measured["text"]
    for reading in readings.values():
        assert f"{reading['used']:g} / {reading['limit']:g}" in text and reading["what"] in text
    assert "90 % warning" in text and "150 % error" in text
    assert "Netlify" in text and "no-usage-api" in text


def test_every_chart_is_laid_out_with_its_shapes(measured):
    charts = {svg["label"]: svg for svg in measured["svgs"]}
    # Shapes: histogram bars and markers; 12 uptime bars; 3 database bars and the target line. No cold start
    # was measured in a single run, so that chart holds only its target line.
    least = {"Latency distribution per environment": 20, "Uptime per window": 12, "Cold start per environment": 1,
             "Database query time per environment": 4}
    for label, shapes in least.items():
        assert charts[label]["width"] > 300 and charts[label]["height"] > 60 and charts[label]["shapes"] >= shapes


def test_a_screenshot_of_the_page_is_kept(report):
    screenshot = artifact_path("environment_comparison.png")
    screenshot.unlink(missing_ok=True)
    done = _chromium("--window-size=1100,3200", f"--screenshot={screenshot}",
                     (report / "environment_comparison.html").as_uri(), cwd=report)
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, colours = _png_size_and_colours(screenshot)
    print(f"\nscreenshot of the comparison page: {screenshot} ({width}x{height})")
    assert (width, height) == (1100, 3200) and colours > 20


def test_the_json_beside_the_page_validates_against_its_schema(report):
    import jsonschema

    from tools.ops.report_json import SCHEMA_PATH

    document = json.loads((report / "environment_comparison.json").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(document)
