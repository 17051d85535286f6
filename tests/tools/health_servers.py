"""Stand-ins for the product's API on loopback, with latency, failures and sleep that the test decides.

Each server answers `GET /api/health` in the product's shape (examples/product/api) and any other path with
`{"backend": <name>, "path": ...}` (what failover tests count through nginx). Latencies are served from a
fixed list in order, cyclically, so a run of `len(list)` probes meets the distribution exactly and the
injected figures are known. Many servers share one event loop on one thread (or one child process, see
`python -m tests.tools.health_servers`), so dozens cost little.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence


def lognormal_latencies(median_ms: float, sigma: float, count: int, seed: int) -> list[float]:
    """`count` quantiles of a log-normal distribution with that median, shuffled reproducibly."""
    from statistics import NormalDist

    normal = NormalDist()
    values = [median_ms * math.exp(sigma * normal.inv_cdf((i + 0.5) / count)) for i in range(count)]
    random.Random(seed).shuffle(values)
    return values


@dataclass
class Behaviour:
    """How one stand-in answers; fields may be changed while it serves (tests flip `failing`)."""

    latencies_ms: Sequence[float] = (5.0,)
    """Served in order, cyclically, one per health request (other paths answer at once)."""
    fail_every: Optional[int] = None
    """Every n-th health request (n, 2n, ...) answers 503 with a degraded document."""
    sleep_after_s: Optional[float] = None
    """After this long without any request (counted from the end of the last answer) the service sleeps ..."""
    wake_ms: float = 0.0
    """... and its next request takes this much longer."""
    db_ms: Sequence[float] = (4.0,)
    """The database check latency it reports, cyclically."""
    failing: bool = False
    """Answer 503 to everything (a dead primary)."""
    fail_health_next: int = 0
    """Answer 503 to that many of the next health requests only (a lost probe)."""
    environment: str = "stand-in"
    health_requests: int = field(default=0, init=False)
    other_requests: int = field(default=0, init=False)
    last_request: Optional[float] = field(default=None, init=False)


class StandIn:
    """One listening stand-in (see :class:`Farm`)."""

    def __init__(self, name: str, behaviour: Behaviour) -> None:
        self.name = name
        self.behaviour = behaviour
        self.port = 0
        self._server: Optional[asyncio.base_events.Server] = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        """The stand-in's health URL."""
        return f"{self.base_url}/api/health"

    def _delay_and_status(self, path: str) -> tuple[float, int, bytes]:
        b = self.behaviour
        now = time.monotonic()
        asleep = (b.sleep_after_s is not None and b.last_request is not None
                  and now - b.last_request >= b.sleep_after_s)
        b.last_request = now
        wake = b.wake_ms / 1000 if asleep else 0.0
        if path != "/api/health":
            b.other_requests += 1
            status = 503 if b.failing else 200
            return wake, status, json.dumps({"backend": self.name, "path": path}).encode()
        index = b.health_requests
        b.health_requests += 1
        delay = wake + b.latencies_ms[index % len(b.latencies_ms)] / 1000
        failed = b.failing or (b.fail_every is not None and (index + 1) % b.fail_every == 0)
        if b.fail_health_next > 0:
            b.fail_health_next -= 1
            failed = True
        db = b.db_ms[index % len(b.db_ms)]
        document = {
            "status": "degraded" if failed else "ok",
            "environment": b.environment,
            "checks": {
                "database": {"ok": not failed, "latencyMs": db, "extensions": ["pg_trgm", "uuid-ossp", "vector"]},
                "redis": {"ok": True, "latencyMs": 1.0},
                "storage": {"ok": True, "latencyMs": 2.0},
            },
        }
        return delay, 503 if failed else 200, json.dumps(document).encode()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                parts = request_line.split(" ")
                path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
                delay, status, body = self._delay_and_status(path)
                if delay:
                    await asyncio.sleep(delay)
                reason = "OK" if status == 200 else "Service Unavailable"
                writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n".encode() + body)
                await writer.drain()
                # Idle time counts from the end of the last answer, as a platform's sleep timer does.
                self.behaviour.last_request = time.monotonic()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        if self._server is not None:
            self._server.close()
            if hasattr(self._server, "close_clients"):
                self._server.close_clients()


class Farm:
    """Stand-ins served from one background thread: `with Farm() as farm: farm.add("a", Behaviour(...))`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="stand-in-farm", daemon=True)
        self.servers: dict[str, StandIn] = {}

    def __enter__(self) -> "Farm":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, name: str, behaviour: Behaviour, port: int = 0) -> StandIn:
        """Start a stand-in; returns it once it listens."""
        server = StandIn(name, behaviour)
        asyncio.run_coroutine_threadsafe(server.start(port), self.loop).result(10)
        self.servers[name] = server
        return server

    def stop(self, name: str) -> None:
        """Stop one stand-in (its port refuses connections afterwards)."""
        asyncio.run_coroutine_threadsafe(self.servers[name].stop(), self.loop).result(10)

    async def _shutdown(self) -> None:
        for server in self.servers.values():
            await server.stop()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def close(self) -> None:
        """Stop every stand-in, end their connections and stop the loop."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@contextmanager
def serve_in_child(behaviours: dict[str, Behaviour]) -> Iterator[dict[str, str]]:
    """Serve stand-ins from a child process (no GIL shared with the prober); yields name -> health URL.

    Their behaviour is fixed at start (the child holds it); use :class:`Farm` to change it while serving.
    """
    specs = [{"name": name, **{k: v for k, v in asdict(b).items() if k in _SPEC_FIELDS}} for name, b in behaviours.items()]
    with tempfile.TemporaryDirectory() as folder:
        spec_file = Path(folder) / "stand-ins.json"
        spec_file.write_text(json.dumps(specs))
        child = subprocess.Popen([sys.executable, "-m", "tests.tools.health_servers", "--spec", str(spec_file)],
                                 cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
        try:
            urls = {}
            assert child.stdout is not None
            for line in child.stdout:
                if line.strip() == "ready":
                    break
                name, url = line.split()
                urls[name] = url
            if len(urls) != len(specs):
                raise RuntimeError("the stand-in process did not start every server")
            yield urls
        finally:
            child.terminate()
            child.wait(10)


_SPEC_FIELDS = ("latencies_ms", "fail_every", "sleep_after_s", "wake_ms", "db_ms", "failing", "fail_health_next",
                "environment")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Serve stand-ins in this process until SIGTERM: `--spec FILE` is a JSON list of {name, latencies_ms, ...}.

    Prints one line `name url` per stand-in, then `ready`.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--spec", required=True)
    args = parser.parse_args(argv)
    with open(args.spec, encoding="utf-8") as stream:
        specs = json.load(stream)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with Farm() as farm:
        for spec in specs:
            name = spec.pop("name")
            server = farm.add(name, Behaviour(**spec))
            print(name, server.health_url, flush=True)
        print("ready", flush=True)
        stopped.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
