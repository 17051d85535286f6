"""Realistic configuration mistakes on the real engine (issue 8, "Configuration mistakes"; DESIGN §3).

Each run makes many mistakes at once: `preview` and `up` must both stop before anything is created, with one
message naming every full key, and each printed `fix:` line, run as printed with the real 3.79 CLI (placeholders
filled in as a user would), must leave the key right or gone: the next `preview` reports none of them. Nothing
outside the stack may be touched: the server's admin login, its databases and roles, a file in a folder's place.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess

import psycopg
import pytest

from tests.engine.cli import ProjectCopy, Result
from tests.engine.dev_stack import dev_config
from tests.machine import project_admin_url

pytestmark = pytest.mark.engine

REFUSED = "cannot be deployed as configured"
_FIX = re.compile(r"^\s+fix: (.+)$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"'<([^>']+)>'")


def _problem_block(result: Result) -> str:
    """The message listing the problems, as the engine prints it under Diagnostics."""
    text = result.output
    start = text.find(REFUSED, text.find("Diagnostics:"))
    return text[start:] if "Diagnostics:" in text and start >= 0 else ""


def _refused_in_preview_and_up(project: ProjectCopy, keys: list[str]) -> str:
    """`preview` and `up` both stop, naming every key with a fix, and create nothing; the listed problems."""
    listed = ""
    for result in (project.preview(), project.up()):
        listed = _problem_block(result)
        assert result.returncode != 0 and listed, result.output[-4000:]
        assert "Traceback" not in result.output
        named = re.findall(r"^\s+- (.+?): ", listed, re.MULTILINE)
        for key in keys:
            assert key in named, f"{key} not named:\n{listed}"
        count = int(re.search(r"\((\d+) problems?, each with its fix\)", listed).group(1))
        assert len(named) == count == len(_FIX.findall(listed)), listed
    assert project.resource_count() == 0
    return listed


def _run_fixes(project: ProjectCopy, listed: str, filled: dict[str, str]) -> list[str]:
    """Run every printed `pulumi ...` fix as printed (placeholders filled in), each in a shell, in the copy."""
    commands = [fix for fix in _FIX.findall(listed) if fix.startswith("pulumi ")]
    for command in commands:
        for placeholder in _PLACEHOLDER.findall(command):
            assert placeholder in filled, f"a placeholder the test cannot fill: {placeholder!r} in {command}"
        ready = _PLACEHOLDER.sub(lambda m: f"'{filled[m.group(1)]}'", command)
        done = subprocess.run(["bash", "-c", ready], cwd=project.root, env=project.env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{ready}\n{done.stdout}{done.stderr}"
    return commands


def _config(project: ProjectCopy) -> dict:
    done = project.run("config", "--json", "--show-secrets", "-s", project.stack).check()
    return json.loads(done.stdout)


# --- the dev stack: the project's PostgreSQL, files under tmp ----------------------------------------------


def _server_snapshot() -> tuple[list, list]:
    with psycopg.connect(project_admin_url(), autocommit=True) as conn:
        databases = conn.execute("SELECT datname FROM pg_database ORDER BY 1").fetchall()
        roles = conn.execute("SELECT rolname, rolpassword IS NOT NULL FROM pg_authid ORDER BY 1").fetchall()
    return databases, roles


def test_dev_mistakes_are_named_together_and_every_printed_fix_works(tmp_path):
    name = f"sc_test_{secrets.token_hex(4)}"
    blocker = tmp_path / "env-files"
    blocker.write_text("a file of the user's, where the env files' folder was meant to go\n")
    config = dev_config(tmp_path, name)
    config.pop("stagecraft:redis")
    config.update({
        # The server's own database and the admin role (today: the admin's password reset, the user locked out).
        "stagecraft:postgres": {**config["stagecraft:postgres"], "database": "postgres", "role": "stagecraft_admin"},
        # The backend on an app's dev port; a host left empty; a folder of spaces; a folder that is a file.
        "stagecraft:backend": {"platform": "local", "port": 3000},
        "stagecraft:frontend": {"platform": "local", "localHost": ""},
        "stagecraft:storage": {**config["stagecraft:storage"], "localRoot": "   ", "bukket": "pictures"},
        "stagecraft:envFiles": {"directory": str(blocker)},
        # Keys Pulumi would ignore: set without --path, a mistyped namespace, a provider the stack never uses.
        "stagecraft:backend.healthCheckPath": "/api/health",
        "stagecraf:redis": {"platform": "memory"},
        "neon:apiKey": "napi-not-used-here",
    })
    project = ProjectCopy(tmp_path / "project", "dev", config)
    before = _server_snapshot()

    listed = _refused_in_preview_and_up(project, [
        "stagecraft:postgres.database", "stagecraft:postgres.role", "stagecraft:backend.port",
        "stagecraft:backend.localUrl", "stagecraft:frontend.localHost", "stagecraft:storage.localRoot",
        "stagecraft:storage.bukket", "stagecraft:envFiles.directory", "stagecraft:backend.healthCheckPath",
        "stagecraf:redis", "neon:apiKey"])

    assert _server_snapshot() == before  # no database, no role, no password changed
    with psycopg.connect(project_admin_url()) as conn:  # the admin still logs in with its own password
        assert conn.execute("SELECT current_user").fetchone()[0] == "stagecraft_admin"
    assert blocker.read_text().startswith("a file of the user's")
    assert not (tmp_path / "buckets").exists() and not (project.root / "   ").exists()
    assert not (project.root / "env").exists()

    _run_fixes(project, listed, {})
    fixed = _config(project)
    assert "stagecraft:backend.healthCheckPath" not in fixed and "stagecraf:redis" not in fixed
    assert "neon:apiKey" not in fixed
    assert json.loads(fixed["stagecraft:backend"]["value"])["healthCheckPath"] == "/api/health"
    assert json.loads(fixed["stagecraft:redis"]["value"]) == {"platform": "memory"}
    storage = json.loads(fixed["stagecraft:storage"]["value"])
    assert storage["bucket"] == "pictures" and "localRoot" not in storage and "bukket" not in storage
    postgres = json.loads(fixed["stagecraft:postgres"]["value"])
    assert "database" not in postgres and "role" not in postgres

    again = project.preview()
    assert again.returncode == 0, again.output[-4000:]
    assert project.resource_count() == 0 and _server_snapshot() == before


# --- a uat-like stack: dummy credentials, unreachable APIs (preflight runs before any resource) -------------

ACCOUNT = "0123456789abcdef0123456789abcdef"
CREDENTIALS = {"KOYEB_TOKEN": "k-test", "NEON_API_KEY": "n-test", "UPSTASH_EMAIL": "ops@example.com",
               "UPSTASH_API_KEY": "u-test", "CLOUDFLARE_API_TOKEN": "c-test",
               "KOYEB_API_URL": "http://127.0.0.1:9", "NEON_API_URL": "http://127.0.0.1:9",
               "UPSTASH_API_URL": "http://127.0.0.1:9", "CLOUDFLARE_API_BASE_URL": "http://127.0.0.1:9"}
LONG_STACK = "uat-checkout-redesign-for-the-spring-sale"


def test_cloud_mistakes_are_named_together_and_every_printed_fix_works(tmp_path):
    config = {
        "stagecraft:environment": "uat",
        # With the stack's name in it, this app's Pages project name is 63 characters (Pages takes 58).
        "stagecraft:frontend": {"platform": "cloudflare-pages", "productionBranch": "develop",
                                "apps": [{"name": "storefront", "variant": "modern", "devPort": 3000,
                                          "framework": "vite"}]},
        # An image of spaces; three free instances (Koyeb gives one).
        "stagecraft:backend": {"platform": "koyeb", "image": "   ", "koyeb": {"maxScale": 3}},
        "stagecraft:postgres": {"platform": "neon"},
        # A mistyped namespace: the whole cache section is in it.
        "stagecrafts:redis": {"platform": "upstash"},
        # R2 without the account id.
        "stagecraft:storage": {"platform": "r2"},
        # Credentials in plain text, one of them for a provider the stack never uses.
        "cloudflare:apiToken": "plain-cloudflare-token",
        "vercel:apiToken": "plain-vercel-token",
    }
    project = ProjectCopy(tmp_path / "project", LONG_STACK, config, extra_env=CREDENTIALS,
                          passphrase="uat-test-passphrase")

    listed = _refused_in_preview_and_up(project, [
        "stagecraft:frontend.apps[0].name", "stagecraft:backend.image", "stagecraft:backend.koyeb.maxScale",
        "stagecrafts:redis", "stagecraft:cloudflare.accountId", "cloudflare:apiToken",
        "vercel:apiToken"])
    assert "plain-cloudflare-token" not in listed and "plain-vercel-token" not in listed
    assert not (project.root / ".stagecraft" / "builds").exists()

    image = "ghcr.io/weedgo/backend:1.0.0"
    _run_fixes(project, listed, {"image": image, "registry/image:tag": image, "32-hex account id": ACCOUNT})
    fixed = _config(project)
    assert fixed["cloudflare:apiToken"] == {"value": "plain-cloudflare-token", "secret": True}
    assert "vercel:apiToken" not in fixed and "stagecrafts:redis" not in fixed
    assert json.loads(fixed["stagecraft:redis"]["value"]) == {"platform": "upstash"}
    backend = json.loads(fixed["stagecraft:backend"]["value"])
    assert backend["image"] == "ghcr.io/weedgo/backend:1.0.0" and backend["koyeb"]["maxScale"] == 1
    assert json.loads(fixed["stagecraft:frontend"]["value"])["apps"][0]["name"] == "store"

    again = project.preview()  # past the settings now; what stops it later is the missing provider plugins
    assert REFUSED not in again.output, again.output[-4000:]
    assert project.resource_count() == 0


def test_a_stack_name_too_long_for_the_platforms_is_renamed_by_the_printed_fix(tmp_path):
    stack = "uat-" + "very-long-feature-branch-name-" * 2
    config = {"stagecraft:environment": "uat", "stagecraft:cloudflare": {"accountId": ACCOUNT},
              "stagecraft:frontend": {"platform": "cloudflare-pages", "productionBranch": "develop"},
              "stagecraft:backend": {"platform": "koyeb", "image": "ghcr.io/weedgo/backend:1.0.0"},
              "stagecraft:postgres": {"platform": "neon"}, "stagecraft:redis": {"platform": "upstash"},
              "stagecraft:storage": {"platform": "r2"}}
    project = ProjectCopy(tmp_path / "project", stack, config, extra_env=CREDENTIALS, passphrase="uat-test-passphrase")

    listed = _refused_in_preview_and_up(project, [f"stack name {stack!r}"])
    (rename,) = _run_fixes(project, listed, {})
    project.stack = rename.split()[3]

    again = project.preview()
    assert REFUSED not in again.output, again.output[-4000:]
    assert (project.root / f"Pulumi.{project.stack}.yaml").is_file()
