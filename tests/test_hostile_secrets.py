"""Hostile input: secrets in the environment and in key names never reach
a manifest, however they travel through the config, and such a run still
verifies when the variables are passed through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import manifests_in
from manifest.record.secrets import redact_overrides, secret_name

SECRETS = {"HM_DB_PW": "s3cr3t-db-pw", "HM_API": "s3cr3t-api-key", "HM_HOST": "db.internal"}
LITERALS = ("hunter2-literal", "plain-literal-secret")

CONFIG = """\
defaults:
  - manifest_schema
  - _self_
seed: 0
db:
  password: ${oc.env:HM_DB_PW}
  url: postgres://u:${.password}@db:5432/x
  selected: ${oc.select:db.password}
  length: ${oc.decode:"${oc.env:HM_DB_PW}"}
  hosts: [a, "${oc.env:HM_HOST}"]
creds: ${db}
api_key: plain-literal-secret
max_tokens: 512
tokenizer: bpe
nested:
  inner:
    access: ${oc.env:HM_DB_PW,fallback}
manifest:
  task: secret_task:main
"""
TASK = """\
def main(cfg):
    return {"n": float(len(cfg.db.password)), "hosts": float(len(cfg.db.hosts))}
"""
OVERRIDES = ["+key=${oc.env:HM_API}", "+db_password=hunter2-literal", "+note=plain"]


def cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manifest", *args],
        cwd=root,
        env={**os.environ, "XDG_CACHE_HOME": str(root / ".cache"), "PYTHONPATH": str(root), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("secrets")
    (root / "conf").mkdir()
    (root / "conf" / "config.yaml").write_text(CONFIG)
    (root / "secret_task.py").write_text(TASK)
    done = cli(root, "run", "hydra.run.dir=out", *OVERRIDES, env=SECRETS)
    assert done.returncode == 0, done.stderr
    [path] = (root / "manifests").glob("*.json")
    return root, path, json.loads(path.read_text())


def test_no_secret_reaches_the_manifest_or_the_terminal(
    recorded: tuple[Path, Path, dict[str, Any]],
) -> None:
    root, path, _ = recorded
    text = path.read_text()
    for secret in (*SECRETS.values(), *LITERALS):
        assert secret not in text, secret
    out = cli(root, "show", str(path), env={})
    assert out.returncode == 0
    for secret in (*SECRETS.values(), *LITERALS):
        assert secret not in out.stdout + out.stderr


def test_values_from_the_environment_are_recorded_as_their_expression(
    recorded: tuple[Path, Path, dict[str, Any]],
) -> None:
    params = recorded[2]["params"]
    assert params["db"] == {
        "password": "${oc.env:HM_DB_PW}",
        "url": "postgres://u:${.password}@db:5432/x",  # a relative reference
        "selected": "${oc.select:db.password}",  # a resolver's argument
        "length": '${oc.decode:"${oc.env:HM_DB_PW}"}',  # transformed by a resolver
        "hosts": ["a", "${oc.env:HM_HOST}"],  # in a list
    }
    assert params["creds"] == "${db}"  # a node holding them
    assert params["nested"] == {"inner": {"access": "${oc.env:HM_DB_PW,fallback}"}}
    assert params["key"] == "${oc.env:HM_API}"  # from an override


def test_keys_named_like_secrets_are_redacted_in_params_and_overrides(
    recorded: tuple[Path, Path, dict[str, Any]],
) -> None:
    manifest = recorded[2]
    assert manifest["params"]["api_key"] == "<redacted>"
    assert manifest["params"]["db_password"] == "<redacted>"
    assert manifest["params"]["max_tokens"] == 512 and manifest["params"]["tokenizer"] == "bpe"
    assert manifest["params"]["note"] == "plain"
    assert manifest["overrides"] == [
        "+key=${oc.env:HM_API}",  # an expression holds no secret
        "+db_password='<redacted>'",
        "+note=plain",
    ]


def test_it_verifies_when_the_variables_are_passed_through(
    recorded: tuple[Path, Path, dict[str, Any]],
) -> None:
    root, path, _ = recorded
    passed = [arg for name in SECRETS for arg in ("--pass-env", name)]
    done = cli(root, "verify", str(path), "--format", "json", *passed, env=SECRETS)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [m["verdict"] for m in report["manifests"]] == ["verified"]
    params = next(c for c in report["subjects"][0]["checks"] if c["check"] == "params")
    assert params["status"] == "pass"
    for secret in (*SECRETS.values(), *LITERALS):
        assert secret not in done.stdout + done.stderr


def test_without_the_variables_the_rerun_says_which_is_missing(
    recorded: tuple[Path, Path, dict[str, Any]],
) -> None:
    root, path, _ = recorded
    done = cli(root, "verify", str(path), "--no-diagnose", env=SECRETS)
    assert done.returncode in (1, 2)
    assert "HM_DB_PW" in done.stdout
    for secret in SECRETS.values():
        assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("db_password", True),
        ("dbPassword", True),
        ("API_KEY", True),
        ("apiKey", True),
        ("hf_token", True),
        ("client_secret", True),
        ("aws_credentials", True),
        ("max_tokens", False),
        ("tokenizer", False),
        ("keyboard", False),
        ("secretary_name", False),
        ("lr", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_redact_setting_replaces_the_defaults() -> None:
    assert secret_name("hf_token", ["pass*"]) is False
    assert secret_name("passphrase", ["pass*"]) is True
    assert redact_overrides(["+db.pass=x", "~db.password", "pw=${oc.env:P}"], ["pass*"]) == (
        "+db.pass='<redacted>'",
        "~db.password",
        "pw=${oc.env:P}",
    )


def test_manifest_redact_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.yaml").write_text(
        textwrap.dedent("""\
        defaults:
          - manifest_schema
          - _self_
        seed: 0
        wandb_entity: acme-research
        token_budget: 100
        manifest:
          task: secret_task:main
          redact: [wandb_*]
        db: {password: x, hosts: []}
        """)
    )
    (tmp_path / "secret_task.py").write_text("def main(cfg):\n    return {'n': 1.0}\n")
    done = cli(tmp_path, "run", "hydra.run.dir=out", env={})
    assert done.returncode == 0, done.stderr
    [manifest] = manifests_in(tmp_path / "manifests")
    assert manifest["params"]["wandb_entity"] == "<redacted>"
    assert manifest["params"]["token_budget"] == 100  # the defaults were replaced
    assert manifest["params"]["db"]["password"] == "x"
