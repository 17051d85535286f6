"""When this clone's port is taken, `ensure` says how to move, in the terms `make up` takes, and the advice works
when followed (the port range is the tests' own: four ports nothing claims)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterator

import pytest

from .conftest import SCRIPT, Instance, unclaimed_port_range


@dataclass
class CloneServer(Instance):
    """A project server whose port the bootstrap chooses from `ports` (no STAGECRAFT_PG_PORT), as under
    `make up`."""

    ports: str = ""
    extra: Dict[str, str] = field(default_factory=dict)

    @property
    def last_port(self) -> int:
        return int(self.ports.split("-")[1])

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in super().env().items() if k != "STAGECRAFT_PG_PORT"}
        env.update(STAGECRAFT_PG_PORTS=self.ports, **self.extra)
        return env

    def ensure(self, **extra: str) -> subprocess.CompletedProcess:
        self.extra = extra
        try:
            return subprocess.run([sys.executable, str(SCRIPT), "ensure", "--config-stack", "dev"], env=self.env(),
                                  capture_output=True, text=True, timeout=600)
        finally:
            self.extra = {}

    def recorded_port(self) -> int:
        return json.loads((self.state_dir / "port.json").read_text())["port"]


@pytest.fixture(scope="module")
def advice_ports() -> str:
    return unclaimed_port_range(4)


@pytest.fixture
def clone_server(new_instance, advice_ports: str) -> Iterator[CloneServer]:
    instance = new_instance()
    server = CloneServer(instance.state_dir, 0, advice_ports)
    yield server
    server.run("stop")


def _occupy(port: int) -> socket.socket:
    listener = socket.socket()
    # The clone's own server just left the port; its closed connections may still be in TIME_WAIT.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    return listener


def test_a_taken_recorded_port_names_the_port_and_a_free_one_to_move_to(clone_server: CloneServer) -> None:
    assert clone_server.ensure().returncode == 0
    port = clone_server.recorded_port()
    clone_server.run("stop")

    with _occupy(port):
        result = clone_server.ensure()

    assert result.returncode == 1
    assert f"port {port} is this clone's recorded port" in result.stderr
    assert re.search(r"`STAGECRAFT_PG_PORT=\d+ make up`", result.stderr)


def test_the_move_advice_works_when_followed(clone_server: CloneServer) -> None:
    clone_server.ensure()
    port = clone_server.recorded_port()
    clone_server.run("stop")

    with _occupy(port):
        advice = clone_server.ensure().stderr
        new_port = re.search(r"`STAGECRAFT_PG_PORT=(\d+) make up`", advice).group(1)
        moved = clone_server.ensure(STAGECRAFT_PG_PORT=new_port)

    assert moved.returncode == 0, moved.stderr
    assert clone_server.recorded_port() == int(new_port)
    assert clone_server.ensure().returncode == 0  # and the next plain `make up` finds it there


def test_a_configured_port_that_is_taken_gets_config_advice(clone_server: CloneServer) -> None:
    with _occupy(clone_server.last_port):
        result = subprocess.run([sys.executable, str(SCRIPT), "ensure", "--config-stack", "dev", "--port",
                                 str(clone_server.last_port)],
                                env=clone_server.env(), capture_output=True, text=True, timeout=600)

    assert result.returncode == 1
    assert re.search(r"`pulumi config set --path 'stagecraft:postgres.local.port' \d+ -s dev`", result.stderr)
    assert "`pulumi config rm --path 'stagecraft:postgres.local.port' -s dev`" in result.stderr


def test_status_of_a_clone_that_never_ran_ensure_says_to_run_make_up(clone_server: CloneServer) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "status"], env=clone_server.env(), capture_output=True,
                            text=True)

    assert result.returncode == 3
    assert "run `make up`" in result.stdout

