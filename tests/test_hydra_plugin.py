"""The ``hydra_plugins`` package: the toolkit's configs in every Hydra app,
with no import or register call in the app."""

from __future__ import annotations

import json
import textwrap
import zipfile
from pathlib import Path

import pytest

import apps
from conftest import manifests_in, python


def test_the_config_group_records_an_app_that_imports_nothing(tmp_path: Path) -> None:
    app = apps.make(tmp_path, "groups")  # its config: `override hydra/callbacks: manifest`
    assert "manifest" not in (tmp_path / "grp_app.py").read_text().replace("manifest(", "")
    result = apps.run(app, "optimizer=sgd", "seed=3")
    assert result.returncode == 0, result.stderr
    [manifest] = manifests_in(tmp_path / "manifests")
    assert manifest["task"] == "grp_app:main"
    assert manifest["owner"] == "vision-team"  # the config's manifest: node
    assert manifest["params"] == {"model": {"width": 3}, "optimizer": {"lr": 0.1}, "seed": 3}
    assert [a["path"] for a in manifest["artifacts"]] == ["model.txt"]
    assert set(manifest["metrics"]) == {"score", "loss"}


def test_manifest_keys_on_a_structured_primary_config(tmp_path: Path) -> None:
    app = apps.make(tmp_path, "structured")
    result = apps.run(
        app, "manifest.store=runs/m", "manifest.owner=research", "optimizer.lr=0.3", "seed=2"
    )
    assert result.returncode == 0, result.stderr
    [manifest] = manifests_in(tmp_path / "runs" / "m")
    assert manifest["owner"] == "research"
    assert manifest["config_name"] == "base"
    assert manifest["params"] == {"optimizer": {"lr": 0.3}, "width": 4, "seed": 2}
    assert manifest["overrides"] == [
        "manifest.store=runs/m",
        "manifest.owner=research",
        "optimizer.lr=0.3",
        "seed=2",
    ]


def test_a_bad_manifest_key_is_named_by_hydra(tmp_path: Path) -> None:
    app = apps.make(tmp_path, "structured")
    result = apps.run(app, "manifest.stor=x")
    assert result.returncode == 1
    assert "Key 'stor' not in 'ManifestSettings'" in result.stderr
    assert not (tmp_path / "manifests").exists()


@pytest.mark.parametrize(
    ("overrides", "store"),
    [
        pytest.param(("hydra.callbacks.manifest.store=cb",), "cb", id="callback-argument"),
        pytest.param(
            ("hydra.callbacks.manifest.store=cb", "manifest.store=node"), "node", id="node-wins"
        ),
    ],
)
def test_the_callbacks_store_argument_still_works_with_the_group(
    tmp_path: Path, overrides: tuple[str, ...], store: str
) -> None:
    app = apps.make(tmp_path, "instantiate")
    result = apps.run(app, *overrides)
    assert result.returncode == 0, result.stderr
    assert len(manifests_in(tmp_path / store)) == 1


def test_manifest_schema_in_the_defaults_of_a_plain_app(tmp_path: Path) -> None:
    """Composed in this process with Hydra's compose API: the plugin registers
    ``manifest_schema`` when Hydra builds the search path."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    (tmp_path / "app.yaml").write_text("defaults:\n  - manifest_schema\n  - _self_\nlr: 0.1\n")
    with initialize_config_dir(config_dir=str(tmp_path), version_base=None):
        cfg = compose("app", ["manifest.store=elsewhere", "manifest.envelope.seeds=7"])
    assert cfg.manifest.store == "elsewhere"
    assert cfg.manifest.envelope.seeds == 7
    assert OmegaConf.get_type(cfg.manifest).__name__ == "ManifestSettings"


def test_the_wheels_plugin_is_found_by_hydra(tmp_path: Path, wheel: Path) -> None:
    """The plugin as installed from the wheel (not this checkout) gives an
    app the config group."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.yaml").write_text("lr: 0.1\n")
    code = textwrap.dedent(f"""\
        import json
        from hydra import compose, initialize_config_dir
        import hydra_plugins.hydra_manifest.manifest_searchpath as plugin
        with initialize_config_dir(config_dir={str(tmp_path / "conf")!r}, version_base=None):
            cfg = compose("app", ["hydra/callbacks=manifest", "manifest.owner=me"],
                          return_hydra_config=True)
        print(json.dumps([plugin.__file__, cfg.hydra.callbacks.manifest._target_,
                          cfg.manifest.owner]))
        """)
    result = python("-c", code, cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    where, target, owner = json.loads(result.stdout.splitlines()[-1])
    assert Path(where).is_relative_to(site)
    assert (target, owner) == ("manifest.callback.ManifestCallback", "me")
