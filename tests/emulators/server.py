"""A loopback HTTP/1.1 server that hands every request to an emulator's `handle`.

ThreadingHTTPServer on 127.0.0.1, one thread per connection, keep-alive supported. A dropped outcome shuts
the socket down without writing a byte, so the client sees the connection close mid-request. `stop()`
interrupts injected sleeps, closes every open connection and the listening socket.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .base import RawRequest

if TYPE_CHECKING:
    from .base import Emulator

LOOPBACK = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body waits for a delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:
        # The emulator keeps its own request log; stderr chatter would drown test output.
        return

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        raw = RawRequest(
            method=self.command,
            path=split.path or "/",
            query=split.query,
            headers={k: v for k, v in self.headers.items()},
            body=self._read_body(),
        )
        outcome = self.server.emulator.handle(raw)
        if outcome.dropped:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        assert outcome.status is not None
        self.send_response(outcome.status)
        for name, value in outcome.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        self.end_headers()
        if outcome.body and self.command != "HEAD":
            self.wfile.write(outcome.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, emulator: "Emulator", port: int):
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((LOOPBACK, port), _Handler)

    def process_request(self, request, client_address):  # type: ignore[override]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        with self._connections_lock:
            open_now = list(self._connections)
            self._connections.clear()
        for conn in open_now:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


class EmulatorServer:
    """Runs one emulator on a loopback port in a background thread."""

    def __init__(self, emulator: "Emulator", port: int = 0):
        self.emulator = emulator
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        if self._server is None:
            raise RuntimeError("EmulatorServer.base_url: the server is not running; call start() first")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def start(self) -> str:
        """Bind and start serving; returns the base URL."""
        if self._server is not None:
            raise RuntimeError("EmulatorServer.start(): already running")
        self.emulator._stopping.clear()
        self._server = _Server(self.emulator, self.port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name=f"{self.emulator.api}-emulator",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving: wake sleeping handlers, close connections and the listening socket."""
        if self._server is None:
            return
        self.emulator._stopping.set()
        self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
