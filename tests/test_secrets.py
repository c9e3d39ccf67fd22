"""What a manifest may store (manifest/record/secrets.py), decided in process.

tests/test_hostile_secrets.py records real runs in a subprocess and checks
that no secret reaches the manifest or the terminal. These tests pin each
decision on its own: which key names are secrets, how overrides and
parameters are redacted, and which config values came from the
environment, the clock or Hydra's runtime, however they got there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from omegaconf import OmegaConf

from manifest.errors import ConfigError
from manifest.record.secrets import (
    REDACTED,
    expressions,
    redact_names,
    redact_overrides,
    secret_name,
    trace,
)

CONFIG = """
db:
  user: admin
  password: ${oc.env:HM_DB_PW}
  url: postgres://u:${.password}@db:5432/x
  selected: ${oc.select:db.password}
  hosts: [a, "${oc.env:HM_HOST}"]
creds: ${db}
when: ${now:%Y}
mixed: ${now:%Y}-${oc.env:HM_HOST}
out: ${hydra:runtime.output_dir}
size: ${hm_len:${oc.env:HM_DB_PW}}
bad: ${nowhere}
plain: 1
manifest:
  task: x
"""


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("HM_DB_PW", "s3cret")
    monkeypatch.setenv("HM_HOST", "db-host")
    OmegaConf.register_new_resolver("hm_len", len)
    try:
        yield OmegaConf.create(CONFIG)
    finally:
        OmegaConf.clear_resolver("hm_len")


def test_each_value_is_traced_to_where_it_came_from(config: Any) -> None:
    origins = trace(config, hydra_tree={"runtime": {"output_dir": "/o"}}, excluded=("manifest",))
    assert origins.env == {
        ("db", "password"),  # read from the environment
        ("db", "url"),  # a relative reference to it, inside a string
        ("db", "selected"),  # a resolver's argument
        ("db", "hosts", "1"),  # in a list
        ("creds",),  # a node holding them: recorded where the expression is written
        ("mixed",),  # the environment wins over the clock
        ("size",),  # transformed by a resolver: no marker shows, the value changes
        ("bad",),  # cannot be resolved at all: assumed to be a secret
    }
    assert origins.clock == {("when",)}
    assert origins.runtime == {("out",)}
    assert sorted(origins.raw) == ["bad", "creds", "db", "mixed", "out", "plain", "size", "when"]
    assert origins.raw["db"]["password"] == "${oc.env:HM_DB_PW}"
    assert (origins.resolved["plain"], origins.resolved["db"]["user"]) == (1, "admin")


def test_what_came_from_the_environment_is_recorded_as_its_expression(config: Any) -> None:
    origins = trace(config, hydra_tree={"runtime": {"output_dir": "/o"}}, excluded=("manifest",))
    db = {
        "user": "admin",
        "password": "s3cret",
        "url": "postgres://u:s3cret@db:5432/x",
        "selected": "s3cret",
        "hosts": ["a", "db-host"],
    }
    params: dict[str, Any] = {
        "db": db,
        "creds": dict(db),
        "when": "2026",
        "mixed": "2026-db-host",
        "out": "/o",
        "size": 6,
        "bad": None,
        "plain": 1,
    }
    expressions(params, origins)
    assert params == {
        "db": {
            "user": "admin",
            "password": "${oc.env:HM_DB_PW}",
            "url": "postgres://u:${.password}@db:5432/x",
            "selected": "${oc.select:db.password}",
            "hosts": ["a", "${oc.env:HM_HOST}"],
        },
        "creds": "${db}",
        "when": "2026",
        "mixed": "${now:%Y}-${oc.env:HM_HOST}",
        "out": "/o",
        "size": "${hm_len:${oc.env:HM_DB_PW}}",
        "bad": "${nowhere}",
        "plain": 1,
    }


def test_the_runtime_is_the_configs_own_hydra_node_unless_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HM_HOST", "h")
    cfg = OmegaConf.create(
        {
            "hydra": {"runtime": {"output_dir": "/o"}},
            "out": "${hydra:runtime.output_dir}",
            "host": "${oc.env:HM_HOST}",
        }
    )
    origins = trace(cfg)
    assert (origins.env, origins.clock, origins.runtime) == ({("host",)}, set(), {("out",)})
    assert "hydra" not in origins.raw and "hydra" not in origins.resolved
    assert trace(cfg, excluded=("host",)).env == set()


def test_a_config_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        trace(OmegaConf.create([1, 2]))
    assert str(raised.value) == "the config is not a mapping"


def test_an_expression_no_longer_in_the_params_is_skipped(config: Any) -> None:
    origins = trace(config, hydra_tree={"runtime": {"output_dir": "/o"}}, excluded=("manifest",))
    params: dict[str, Any] = {"plain": 1, "db": "replaced by a string"}
    expressions(params, origins)
    assert params["plain"] == 1 and params["creds"] == "${db}"
    assert params["db"] == "replaced by a string"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("db_password", True),
        ("dbPassword", True),
        ("DB_PASSWORD", True),
        ("apiKey", True),
        ("API_KEY", True),
        ("HTTPToken", True),
        ("access_key_id", True),
        ("private_key", True),
        ("credentials", True),
        ("secret_sauce", True),
        ("passwd", True),
        ("max_tokens", False),
        ("tokenizer", False),
        ("api", False),
        ("key", False),
        ("keyboard", False),
        ("passphrase", False),
        ("", False),
    ],
)
def test_which_names_are_secrets_by_default(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


@pytest.mark.parametrize(
    ("name", "patterns", "secret"),
    [
        ("db_PW", ["*_pw"], True),  # a glob, case-insensitive, over the whole key
        ("DB_HOST", ["db_*"], True),
        ("key", ["k?y"], True),
        ("kx", ["[abc]x"], False),
        ("bx", ["[abc]x"], True),
        ("my_db_pw", ["db_*"], False),  # a glob matches the whole key, not a word
        ("session_cookie", ["cookie"], True),  # the words of a plain pattern, in a row
        ("cookie_session", ["session_cookie"], False),
        ("password", [], False),
        ("password", [""], False),  # an empty pattern matches nothing
    ],
)
def test_patterns_are_globs_or_words(name: str, patterns: list[str], secret: bool) -> None:
    assert secret_name(name, patterns) is secret


def test_overrides_keep_their_form_and_lose_their_secret() -> None:
    overrides = [
        "db.password=hunter2",
        "+api_key=abc",
        "++model.token=x",
        "db/password@pkg=xyz",
        "~secret",
        "~db.password=old",
        "lr=0.1",
        "max_tokens=5",
        "db.password=${oc.env:PW}",
        "db.password= ${oc.env:PW} ",
        "db.password=prefix-${oc.env:PW}",
        "not an override",
    ]
    assert redact_overrides(overrides, ["password", "token", "api_key", "secret"]) == (
        "db.password='<redacted>'",
        "+api_key='<redacted>'",
        "++model.token='<redacted>'",
        "db/password@pkg='<redacted>'",
        "~secret",
        "~db.password='<redacted>'",
        "lr=0.1",
        "max_tokens=5",
        "db.password=${oc.env:PW}",  # an interpolation holds no secret
        "db.password= ${oc.env:PW} ",
        "db.password='<redacted>'",  # a literal part may be one
        "not an override",
    )


def test_parameters_named_like_secrets_are_redacted_at_any_depth() -> None:
    params: dict[str, Any] = {
        "db": {"password": {"nested": "x"}, "hosts": [{"token": "t", "name": "a"}, "b"]},
        "max_tokens": 5,
        "runs": [[{"api_key": "k"}]],
    }
    redact_names(params, ["password", "token", "api_key"])
    assert params == {
        "db": {"password": REDACTED, "hosts": [{"token": REDACTED, "name": "a"}, "b"]},
        "max_tokens": 5,
        "runs": [[{"api_key": REDACTED}]],
    }


HYDRA = {
    "runtime": {"output_dir": "/o", "config_sources": [{"path": "pkg://conf"}]},
    "overrides": {"task": ["lr=0.1"]},
    "job": {"name": "j"},
}


@pytest.mark.parametrize("own_node", [True, False], ids=["own-hydra-node", "given-hydra-tree"])
def test_hydras_runtime_read_as_a_node_in_a_locked_config(
    monkeypatch: pytest.MonkeyPatch, own_node: bool
) -> None:
    """Hydra hands tasks a struct config; its runtime may be read through the
    resolver or as a node, leaf or list item."""
    monkeypatch.setenv("HM_HOST", "h")
    cfg = OmegaConf.create(
        {
            "out": "${hydra:runtime.output_dir}",
            "dir": "${hydra.runtime.output_dir}",
            "first": "${hydra.overrides.task.0}",
            "name": "run-${hydra.job.name}",
            "source": "${hydra.runtime.config_sources.0.path}",
            "host": "${oc.env:HM_HOST}",
            "plain": 2,
        }
        | ({"hydra": HYDRA} if own_node else {})
    )
    OmegaConf.set_struct(cfg, True)
    OmegaConf.set_readonly(cfg, True)
    origins = trace(cfg, hydra_tree=None if own_node else HYDRA)
    assert origins.env == {("host",)}
    assert origins.runtime == {("out",), ("dir",), ("first",), ("name",), ("source",)}
    assert origins.resolved["plain"] == 2 and "hydra" not in origins.raw


def test_a_value_whose_shape_comes_from_the_environment_is_anchored_where_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolver may turn a secret into a key: the two resolutions then have
    different paths, and the value is still recorded as its expression."""
    monkeypatch.setenv("HM_HOST", "h")
    OmegaConf.register_new_resolver("hm_keyed", lambda s: {s: 1})
    try:
        cfg = OmegaConf.create(
            {"deep": {"x": {"y": "${hm_keyed:${oc.env:HM_HOST}}"}, "keep": 1}, "top": 3}
        )
        origins = trace(cfg)
    finally:
        OmegaConf.clear_resolver("hm_keyed")
    assert origins.env == {("deep", "x", "y")}
    params: dict[str, Any] = {"deep": {"x": {"y": {"h": 1}}, "keep": 1}, "top": 3}
    expressions(params, origins)
    assert params == {"deep": {"x": {"y": "${hm_keyed:${oc.env:HM_HOST}}"}, "keep": 1}, "top": 3}


def test_every_pattern_is_tried_globs_and_words_alike() -> None:
    assert secret_name("db_password", ["*_pw", "password"]) is True
    assert secret_name("db_pw", ["password", "*_pw"]) is True


def test_parameters_are_redacted_by_the_given_patterns_only() -> None:
    params: dict[str, Any] = {"password": "kept", "cookie": "c", "nested": [{"cookie_jar": 1}]}
    redact_names(params, ["cookie"])
    assert params == {"password": "kept", "cookie": REDACTED, "nested": [{"cookie_jar": REDACTED}]}


def test_a_config_is_resolved_key_by_key_without_its_hydra_node() -> None:
    from omegaconf.errors import InterpolationKeyError

    from manifest.record.resolving import resolve_by_key

    cfg = OmegaConf.create(
        {
            "hydra": {"job": {"num": "${oc.env:ONLY_IN_MULTIRUN}"}},
            "required": "???",
            "node": {"inner": "???", "n": 1, "ref": "${plain}"},
            "broken": "${nowhere}",
            "plain": 2,
        }
    )
    failures: list[tuple[str, type[Exception]]] = []

    def on_error(key: str, exc: Exception) -> str:
        failures.append((key, type(exc)))
        return "<unresolved>"

    assert resolve_by_key(cfg, on_error) == {
        "required": "???",
        "node": {"inner": "???", "n": 1, "ref": 2},
        "broken": "<unresolved>",
        "plain": 2,
    }
    assert failures == [("broken", InterpolationKeyError)]
