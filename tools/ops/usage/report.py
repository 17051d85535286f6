"""Reads every platform of the limits tables and assembles the usage document."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

import httpx

from . import koyeb, neon, railway, supabase, upstash
from .allowances import Allowances
from .model import PlatformUsage, document
from .reader import Reader, run_reader
from .unread import UNREAD

READERS: dict[str, Reader] = {r.platform: r for r in (neon.READER, upstash.READER, koyeb.READER, supabase.READER,
                                                       railway.READER)}


def read_platforms(environ: Optional[Mapping[str, str]] = None, allowances: Optional[Allowances] = None,
                   transport: Optional[httpx.BaseTransport] = None) -> list[PlatformUsage]:
    """One entry per platform that has meters or quotas in policies/limits."""
    env = dict(os.environ if environ is None else environ)
    allowances = allowances or Allowances()
    found = []
    for platform, name in allowances.platforms():
        if platform in READERS:
            found.append(run_reader(READERS[platform], name, allowances, env, transport))
        else:
            state, why = UNREAD.get(platform, ("not-read", "no usage reader for this platform"))
            found.append(PlatformUsage(platform, name, state, why,
                                       unmeasured={i: why for i in allowances.ids(platform)}))
    return found


def read_usage(environ: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """The usage document for the comparison (and `stagecraft usage --json`)."""
    return document(read_platforms(environ))
