"""`stagecraft env`: the apps' env files and EAS build profiles rendered from a stack's outputs, mode 0600."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.local.env_file import parse_dotenv
from settings.inventory import DEFAULT_FRONTENDS
from tests.unit.harness import build_stack, stack_config
from tests.unit.test_beta_program import BETA_OVERRIDES
from tests.unit.test_preprod_program import MOBILE, PREPROD_OVERRIDES, PRODUCTION_CONFIG
from tests.unit.test_uat_program import UAT_OVERRIDES
from tools.cli import main


@pytest.fixture(scope="module")
def stacks():
    return {"dev": build_stack("dev", stack_config("dev")),
            "uat": build_stack("uat", stack_config("uat", {**UAT_OVERRIDES, **MOBILE})),
            "beta": build_stack("beta", stack_config("beta", {**BETA_OVERRIDES, **MOBILE})),
            "preprod": build_stack("preprod", stack_config("preprod", PREPROD_OVERRIDES)),
            "production": build_stack("production", stack_config("no-such-stack-file", PRODUCTION_CONFIG))}


def render(tmp_path: Path, stack: str, outputs: dict, *extra: str) -> tuple[int, Path]:
    source = tmp_path / f"{stack}-outputs.json"
    source.write_text(json.dumps(outputs))
    out = tmp_path / "env"
    return main(["env", "-s", stack, "--out", str(out), "--outputs", str(source), *extra]), out / stack


def dotenv(path: Path) -> dict[str, str]:
    return parse_dotenv(path.read_text())


def test_preprod_backend_file_equals_the_stack_outputs(stacks, tmp_path):
    outputs = stacks["preprod"].outputs
    status, folder = render(tmp_path, "preprod", outputs)
    assert status == 0
    assert dotenv(folder / ".env.backend") == {
        "ENVIRONMENT": "preprod", "DATABASE_URL": outputs["database"]["connectionUri"],
        "REDIS_URL": outputs["redis"]["url"], "JWT_SECRET": outputs["jwtSecret"],
        "STORAGE_PLATFORM": "railway-volume", "STORAGE_BUCKET": outputs["storage"]["bucket"],
        "STORAGE_ENDPOINT": outputs["storage"]["endpoint"]}


def test_preprod_frontend_files_carry_the_api_url_and_each_apps_variant(stacks, tmp_path):
    outputs = stacks["preprod"].outputs
    _status, folder = render(tmp_path, "preprod", outputs)
    for app in DEFAULT_FRONTENDS:
        expected = {"VITE_API_URL": outputs["api"]["url"], "VITE_ENVIRONMENT": "preprod",
                    **({"VITE_VARIANT": app.variant} if app.variant else {})}
        assert dotenv(folder / f".env.{app.name}") == expected


def test_every_file_is_readable_by_its_owner_only(stacks, tmp_path):
    _status, folder = render(tmp_path, "preprod", stacks["preprod"].outputs)
    files = sorted(folder.iterdir())
    assert len(files) == len(DEFAULT_FRONTENDS) + 2  # the backend, every app, eas.json
    assert {f.stat().st_mode & 0o777 for f in files} == {0o600}


def test_a_file_that_existed_with_wider_permissions_ends_up_0600(stacks, tmp_path):
    folder = tmp_path / "env" / "preprod"
    folder.mkdir(parents=True)
    (folder / ".env.backend").write_text("OLD=1\n")
    (folder / ".env.backend").chmod(0o644)
    render(tmp_path, "preprod", stacks["preprod"].outputs)
    assert (folder / ".env.backend").stat().st_mode & 0o777 == 0o600
    assert "OLD" not in dotenv(folder / ".env.backend")


def test_each_stacks_eas_profile_names_its_channel_and_its_api_url(stacks, tmp_path):
    for stack in ("uat", "beta", "preprod", "production"):
        outputs = stacks[stack].outputs
        render(tmp_path, stack, outputs)
        document = json.loads((tmp_path / "env" / stack / "eas.json").read_text())
        assert document == {"build": {stack: {"channel": stack, "env": {
            "EXPO_PUBLIC_API_URL": outputs["api"]["url"], "EXPO_PUBLIC_ENVIRONMENT": outputs["environment"]}}}}


def test_profiles_of_several_stacks_merge_into_one_eas_json_keeping_its_other_keys(stacks, tmp_path):
    eas_json = tmp_path / "mobile" / "eas.json"
    eas_json.parent.mkdir()
    eas_json.write_text(json.dumps({"cli": {"version": ">= 16.0.0"}, "build": {"development": {"developmentClient": True}}}))
    for stack in ("uat", "preprod"):
        assert render(tmp_path, stack, stacks[stack].outputs, "--eas-json", str(eas_json))[0] == 0
    document = json.loads(eas_json.read_text())
    assert document["cli"] == {"version": ">= 16.0.0"}
    assert sorted(document["build"]) == ["development", "preprod", "uat"]
    assert document["build"]["uat"]["env"]["EXPO_PUBLIC_API_URL"] == stacks["uat"].outputs["api"]["url"]
    assert eas_json.stat().st_mode & 0o777 == 0o600


def test_a_stack_without_a_mobile_channel_writes_no_eas_json(stacks, tmp_path):
    _status, folder = render(tmp_path, "dev", stacks["dev"].outputs)
    assert not (folder / "eas.json").exists() and (folder / ".env.backend").exists()


def test_asking_for_an_eas_profile_of_a_stack_without_a_channel_fails_before_writing(stacks, tmp_path, capsys):
    status, folder = render(tmp_path, "dev", stacks["dev"].outputs, "--eas-json", str(tmp_path / "eas.json"))
    assert status == 2 and not folder.exists()
    assert "has no mobile channel" in capsys.readouterr().err


def test_uat_backend_file_equals_what_koyeb_runs(stacks, tmp_path):
    built = stacks["uat"]
    _status, folder = render(tmp_path, "uat", built.outputs)
    (service,) = built.of_type("pulumi-python:dynamic/koyeb:Service")
    secrets = {s.inputs["name"]: s.inputs["value"] for s in built.of_type("pulumi-python:dynamic/koyeb:Secret")}
    runs = {**service.inputs["env"], **{key: secrets[name] for key, name in service.inputs["secret_env"].items()}}
    assert dotenv(folder / ".env.backend") == runs


def test_beta_backend_file_differs_from_render_only_in_the_key_value_url(stacks, tmp_path):
    built = stacks["beta"]
    _status, folder = render(tmp_path, "beta", built.outputs)
    (service,) = built.of_type("pulumi-python:dynamic/render:Service")
    runs = {**service.inputs["env"], **service.inputs["secret_env"]}
    written = dotenv(folder / ".env.backend")
    # Render's service reaches Key Value on the private network; a laptop needs the external connection string.
    assert written.pop("REDIS_URL") == built.outputs["redis"]["url"] != runs.pop("REDIS_URL")
    assert written == runs


def test_preprod_backend_file_differs_from_railway_only_in_the_private_network_references(stacks, tmp_path):
    built = stacks["preprod"]
    _status, folder = render(tmp_path, "preprod", built.outputs)
    (service,) = built.of_type("pulumi-python:dynamic/railway:Service")
    runs = {**service.inputs["variables"], **service.inputs["secret_variables"]}
    rendered = dotenv(folder / ".env.backend")
    assert {k for k in runs if runs[k] != rendered[k]} == {"DATABASE_URL", "REDIS_URL"}
    assert runs["DATABASE_URL"] == "${{Postgres.DATABASE_URL}}"  # resolvable on Railway only


def test_masked_secrets_are_refused_and_nothing_is_written(stacks, tmp_path, capsys):
    status, folder = render(tmp_path, "preprod", {**stacks["preprod"].outputs, "jwtSecret": "[secret]"})
    assert status == 2 and not folder.exists()
    assert "--show-secrets" in capsys.readouterr().err


def test_outputs_of_another_stack_are_refused(stacks, tmp_path, capsys):
    status, _folder = render(tmp_path, "uat", stacks["preprod"].outputs)
    assert status == 2
    assert "belong to stack 'preprod', not 'uat'" in capsys.readouterr().err


def test_an_unknown_schema_version_is_refused(stacks, tmp_path, capsys):
    status, _folder = render(tmp_path, "preprod", {**stacks["preprod"].outputs, "schemaVersion": 2})
    assert status == 2 and "schemaVersion 2" in capsys.readouterr().err


def test_env_is_in_the_command_registry(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "env" in capsys.readouterr().out


PR_OUTPUTS = {"schemaVersion": 1, "environment": "preview", "stack": "pr-7",
              "pr": {"number": 7, "base": "uat", "backend": "shared", "alias": "pr-7"},
              "api": {"url": "https://stagecraft-uat-api.koyeb.app",
                      "healthUrl": "https://stagecraft-uat-api.koyeb.app/api/health", "platform": "koyeb"},
              "apps": {"modern": {"url": "https://pr-7.stagecraft-uat-modern.pages.dev", "platform": "cloudflare-pages",
                                  "projectId": "stagecraft-uat-modern", "deploymentId": "d1", "variant": "modern"}},
              "database": None, "jwtSecret": None}


def test_a_pr_stack_gets_its_frontends_files_and_is_pointed_at_its_base_for_the_backend(tmp_path, capsys):
    status, folder = render(tmp_path, "pr-7", PR_OUTPUTS)
    assert status == 0 and sorted(p.name for p in folder.iterdir()) == [".env.modern"]
    assert dotenv(folder / ".env.modern") == {"VITE_API_URL": "https://stagecraft-uat-api.koyeb.app",
                                              "VITE_ENVIRONMENT": "preview", "VITE_VARIANT": "modern"}
    assert "stagecraft env -s uat" in capsys.readouterr().err
