"""`stagecraft failover` with a real nginx in front of three local backends (uat 90, beta 10, preprod backup).

Probes every 0.25 s with a 0.5 s timeout; out after 3 failed probes, back after 4 successful ones; so the
configured detection time is 3 x 0.25 + 0.5 = 1.25 s.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.machine import PROJECT_ROOT
from tests.tools.health_servers import Behaviour, Farm
from tests.tools.nginx_server import Nginx

INTERVAL, TIMEOUT, FAIL_AFTER, RECOVER_AFTER = 0.25, 0.5, 3, 4
DETECTION = FAIL_AFTER * INTERVAL + TIMEOUT
RELOAD_ALLOWANCE = 0.5


class Rig:
    """Backends, nginx and the controller (the real console script) for one test."""

    def __init__(self, folder: Path, farm: Farm) -> None:
        self.folder = folder
        self.farm = farm
        self.upstream = folder / "upstream.conf"
        self.upstream.write_text("upstream stagecraft_api { server 127.0.0.1:9; }\n")
        self.reloads = folder / "reloads.log"
        self.log = folder / "failover.log"
        self.controller: subprocess.Popen | None = None

    def start(self, nginx: Nginx) -> None:
        reload = f"echo reload >> {self.reloads} && exec {' '.join(nginx.command('-s', 'reload'))}"
        config = {
            "upstream": "stagecraft_api", "upstreamFile": str(self.upstream), "reloadCommand": ["sh", "-c", reload],
            "interval": INTERVAL, "timeout": TIMEOUT, "failAfter": FAIL_AFTER, "recoverAfter": RECOVER_AFTER,
            "backends": [
                {"name": "uat", "health": self.farm.servers["uat"].health_url,
                 "server": f"127.0.0.1:{self.farm.servers['uat'].port}", "weight": 90},
                {"name": "beta", "health": self.farm.servers["beta"].health_url,
                 "server": f"127.0.0.1:{self.farm.servers['beta'].port}", "weight": 10},
                {"name": "preprod", "health": self.farm.servers["preprod"].health_url,
                 "server": f"127.0.0.1:{self.farm.servers['preprod'].port}", "backup": True},
            ],
        }
        path = self.folder / "failover.yaml"
        path.write_text(yaml.safe_dump(config))
        self.controller = subprocess.Popen([str(PROJECT_ROOT / ".venv" / "bin" / "stagecraft"), "failover", "--config",
                                            str(path)], stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self.wait_for(lambda: "start: routing" in self.log.read_text(), 10)
        self.wait_for(lambda: self.reload_count() >= 1, 10)
        time.sleep(0.3)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.terminate()
            self.controller.wait(10)

    def reload_count(self) -> int:
        return len(self.reloads.read_text().splitlines()) if self.reloads.exists() else 0

    def decisions(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if "service after" in line]

    @staticmethod
    def wait_for(condition, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {seconds} s")
            time.sleep(0.02)


def _through_nginx(nginx: Nginx, count: int) -> collections.Counter:
    """Backend name (or the HTTP status) of `count` requests through nginx, each on a new connection."""
    seen: collections.Counter = collections.Counter()
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as client:
        for _ in range(count):
            answer = client.get(f"{nginx.url}/api/items")
            seen[answer.json()["backend"] if answer.status_code == 200 else answer.status_code] += 1
    return seen


def _seconds_until_traffic_is_healthy(nginx: Nginx, since: float, streak: int = 30) -> float:
    """Sends requests through nginx until `streak` succeed in a row; returns when the first of them was sent."""
    run_start = None
    run = 0
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as client:
        deadline = time.monotonic() + 30
        while run < streak:
            assert time.monotonic() < deadline, "traffic through nginx never became healthy"
            sent = time.monotonic()
            ok = client.get(f"{nginx.url}/api/items").status_code == 200
            run, run_start = (run + 1, run_start or sent) if ok else (0, None)
            time.sleep(0.01)
    return run_start - since


@pytest.fixture
def rig(tmp_path):
    with Farm() as farm:
        for name in ("uat", "beta", "preprod"):
            farm.add(name, Behaviour(latencies_ms=(1.0,), environment=name))
        rig = Rig(tmp_path, farm)
        with Nginx(tmp_path / "nginx", rig.upstream, "stagecraft_api") as nginx:
            rig.nginx = nginx
            rig.start(nginx)
            try:
                yield rig
            finally:
                rig.stop()


def test_traffic_goes_ninety_ten_and_never_to_the_backup(rig):
    assert _through_nginx(rig.nginx, 100) == {"uat": 90, "beta": 10}
    assert "weight=90" in rig.upstream.read_text() and " backup;" in rig.upstream.read_text()


def test_when_the_primary_dies_requests_succeed_again_within_the_detection_time(rig):
    died = time.monotonic()
    rig.farm.servers["uat"].behaviour.failing = True
    measured = _seconds_until_traffic_is_healthy(rig.nginx, died)
    decision = rig.decisions()[-1]
    logged = float(re.search(r"switched ([0-9.]+) s after the first failed probe", decision).group(1))
    print(f"\nfailover: requests through nginx healthy again {measured:.2f} s after the primary died "
          f"(configured detection time {DETECTION:g} s); controller: switched {logged:.2f} s after the first failed probe")
    assert measured <= DETECTION + RELOAD_ALLOWANCE
    assert decision.split(" ", 1)[1].startswith("uat out of service after 3 failed probes in a row")
    assert _through_nginx(rig.nginx, 50) == {"beta": 50}


def test_when_the_primary_recovers_traffic_returns_after_m_successful_probes(rig):
    primary = rig.farm.servers["uat"].behaviour
    primary.failing = True
    rig.wait_for(lambda: any("uat out of service" in d for d in rig.decisions()), 10)
    # The decision is logged before nginx has reloaded: heal only once nginx no longer sends traffic to uat.
    rig.wait_for(lambda: _through_nginx(rig.nginx, 10) == {"beta": 10}, 10)
    healed_at_probe = primary.health_requests
    healed = time.monotonic()
    primary.failing = False
    rig.wait_for(lambda: _through_nginx(rig.nginx, 1).get("uat", 0) == 1, 10)
    probes_before_return = primary.health_requests - healed_at_probe
    print(f"\nrecovery: traffic back on uat {time.monotonic() - healed:.2f} s after it healed, after "
          f"{probes_before_return} successful probes (recoverAfter {RECOVER_AFTER})")
    assert probes_before_return >= RECOVER_AFTER
    assert "uat back in service after 4 successful probes in a row" in rig.decisions()[-1]
    assert _through_nginx(rig.nginx, 100) == {"uat": 90, "beta": 10}


def test_a_single_lost_probe_changes_nothing(rig):
    before = (rig.upstream.read_text(), rig.reload_count(), len(rig.decisions()))
    rig.farm.servers["uat"].behaviour.fail_health_next = 1
    rig.wait_for(lambda: rig.farm.servers["uat"].behaviour.fail_health_next == 0, 5)
    time.sleep(INTERVAL * (FAIL_AFTER + 3))
    assert (rig.upstream.read_text(), rig.reload_count(), len(rig.decisions())) == before
    assert _through_nginx(rig.nginx, 100) == {"uat": 90, "beta": 10}


def test_two_lost_probes_in_a_row_are_still_below_the_threshold(rig):
    before = rig.reload_count()
    rig.farm.servers["uat"].behaviour.fail_health_next = FAIL_AFTER - 1
    time.sleep(INTERVAL * (FAIL_AFTER + 3))
    assert rig.reload_count() == before and rig.decisions() == []


def test_when_both_weighted_backends_die_the_backup_takes_the_traffic(rig):
    rig.farm.servers["uat"].behaviour.failing = True
    rig.farm.servers["beta"].behaviour.failing = True
    measured = _seconds_until_traffic_is_healthy(rig.nginx, time.monotonic())
    print(f"\nbackup took the traffic {measured:.2f} s after both weighted backends died")
    assert measured <= DETECTION + RELOAD_ALLOWANCE
    assert _through_nginx(rig.nginx, 20) == {"preprod": 20}
