"""Local emulators of the Cloudflare (Pages), Koyeb, Neon and Upstash APIs for provider and engine tests.

Each emulator keeps account state in memory, validates every request against the vendor's own spec in
`shared/reference/apis/` (violations are recorded and answered 400), injects faults on request, and serves
on loopback::

    from tests.emulators import KoyebEmulator, Fault

    emu = KoyebEmulator()
    with emu.serve() as base_url:            # http://127.0.0.1:<free port>
        emu.inject(Fault.status(429, retry_after=1), method="POST", path="/v1/services")
        ...
    emu.objects("services"), emu.requests, emu.checked, emu.violations

`CONFORMANCE` totals every emulator in the process; `format_conformance_summary()` renders it.
Run one as a server with `python -m tests.emulators cloudflare|koyeb|neon|upstash [--port N]`.
"""

from .base import ApiError, Emulator, RequestRecord, SpecViolationError
from .cli import EMULATORS
from .cloudflare import CloudflareEmulator
from .conformance import CONFORMANCE, ConformanceRegistry, format_conformance_summary
from .eas import EasEmulator
from .faults import Fault
from .github import GitHubEmulator
from .koyeb import KoyebEmulator
from .neon import NeonEmulator
from .netlify import NetlifyEmulator
from .railway import RailwayEmulator
from .render import RenderEmulator
from .supabase import SupabaseEmulator
from .supabase_storage import SupabaseStorageEmulator
from .upstash import UpstashEmulator
from .validation import ResponseMismatch, Violation

__all__ = [
    "ApiError",
    "CONFORMANCE",
    "CloudflareEmulator",
    "ConformanceRegistry",
    "EMULATORS",
    "EasEmulator",
    "Emulator",
    "Fault",
    "GitHubEmulator",
    "KoyebEmulator",
    "NeonEmulator",
    "NetlifyEmulator",
    "RailwayEmulator",
    "RenderEmulator",
    "RequestRecord",
    "ResponseMismatch",
    "SpecViolationError",
    "SupabaseEmulator",
    "SupabaseStorageEmulator",
    "UpstashEmulator",
    "Violation",
    "format_conformance_summary",
]
