"""A private nginx (Debian's package) in front of local backends: its own prefix, config, port and pid file."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

from tests.machine import closed_port
from tests.tools.system import program

CONFIG = """# nginx for one test: one worker (so weighted round robin is exact), everything under its own prefix.
{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {upstream};
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://{name}; }}
    }}
}}
"""


class Nginx:
    """Starts nginx on a free loopback port with `upstream_file` included; use as a context manager."""

    def __init__(self, prefix: Path, upstream_file: Path, upstream_name: str) -> None:
        self.binary = program("nginx", "nginx")
        self.prefix = prefix
        self.port = closed_port()
        self.config = prefix / "nginx.conf"
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.config.write_text(CONFIG.format(user=user, prefix=prefix, upstream=upstream_file, port=self.port,
                                             name=upstream_name))
        self._process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> list[str]:
        """An nginx command line for this instance (e.g. `-s reload`)."""
        return [self.binary, "-p", str(self.prefix), "-c", str(self.config), *args]

    def __enter__(self) -> "Nginx":
        check = subprocess.run(self.command("-t"), capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the test config:\n{check.stderr}")
        self._process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening within 10 s")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
