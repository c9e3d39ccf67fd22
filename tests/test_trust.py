"""The trust boundary of ``verify``, decision by decision, without re-running.

What a manifest may make the verifier compose and run: each override the
boundary keeps, ignores or refuses (and why), each config name it takes,
the parameter vector it compares, and the app entry points the repository
names. The end-to-end refusals through the CLI are in test_verify.py and
test_verify_apps.py; these call the decisions directly, so that a changed
decision is noticed in a fraction of a second.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import git
from manifest.core.canonical import digest_of
from manifest.errors import ConfigError, TaskError
from manifest.verification.apps import (
    UnnamedApp,
    admit_app,
    declared_apps,
    declares_hydra_main,
    locate,
    tracked_at_head,
)
from manifest.verification.trust import Admission, admit, config_name_problem, screen_overrides

CONFIG = """\
defaults:
  - manifest_schema
  - _self_
seed: 0
lr: 0.1
label: thé
started: ${now:%H}
manifest:
  task: pkg.mod:run
"""
PARAMS = {"seed": 0, "lr": 0.1, "label": "thé", "started": "12"}


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    """A config folder with a config declaring task pkg.mod:run, and one declaring none."""
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG)
    (folder / "notask.yaml").write_text("seed: 0\nlr: 0.1\n")
    return folder


def manifest(
    params: dict[str, Any] | None = None, *overrides: str, **fields: Any
) -> dict[str, Any]:
    """A manifest of ``config`` whose params digest matches its params."""
    params = dict(PARAMS if params is None else params)
    document = {"config_name": "config", "task": "pkg.mod:run", "overrides": list(overrides)}
    document |= {"params": params, "params_digest": digest_of(params)}
    return document | fields


def rows(admission: Admission) -> list[tuple[str, str, str]]:
    """What the report shows of each check (every manifest here is "run")."""
    assert all(c.subject == "run" for c in admission.checks)
    return [(c.check, c.status, c.message) for c in admission.checks]


# -- overrides -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        pytest.param(
            "seed=1,2", "a sweep: a manifest records the overrides of one job", id="sweep"
        ),
        pytest.param(
            "manifest.task=x:y",
            "overrides manifest.*: the task, envelope, tolerances and Hydra settings come "
            "from the repository, never from a manifest",
            id="manifest",
        ),
        pytest.param("hydra/launcher=joblib", "overrides hydra.*", id="hydra-group"),
        pytest.param("_global_.hydra.job.chdir=true", "overrides hydra.*", id="global-key"),
        pytest.param("manifest.store@hydra=x", "overrides manifest.*", id="bookkeeping-package"),
        pytest.param(
            "optimizer@manifest=sgd", "places a config into the manifest package", id="pkg"
        ),
        pytest.param(
            "+opt@_global_.hydra.x=y", "places a config into the hydra package", id="gpkg"
        ),
        pytest.param("+model._target_=os.system", "names a _target_ (code to instantiate)", id="t"),
        pytest.param("model={_target_: os.system}", "names a _target_", id="target-value"),
        pytest.param("note='_target_=x'", "names a _target_", id="target-before-an-equals"),
        pytest.param("key=[unclosed", "not a Hydra override: ", id="unparseable"),
    ],
)
def test_each_refusal_says_why(override: str, reason: str) -> None:
    screened = screen_overrides(["seed=3", override])

    assert screened.kept == ("seed=3",) and screened.ignored == ()
    ((index, text, why),) = screened.refused
    assert (index, text) == (1, override) and why.startswith(reason)


@pytest.mark.parametrize(
    "override",
    ["my_target_=1", "model.target_=x", "note=target", "+extra.key=1", "optimizer=sgd"],
)
def test_a_key_or_value_that_merely_resembles_a_target_is_kept(override: str) -> None:
    assert screen_overrides([override]).kept == (override,)


def test_an_unparseable_override_is_refused_with_the_parsers_first_line() -> None:
    screened = screen_overrides(["key=[unclosed", "seed=3"])
    assert screened.refused == (
        (0, "key=[unclosed", "not a Hydra override: no viable alternative at input '[unclosed'"),
    )
    assert screened.kept == ("seed=3",)  # the next ones are still screened


def test_bookkeeping_overrides_are_ignored_in_order_and_named() -> None:
    overrides = ["manifest.store=elsewhere", "seed=3", "++manifest.owner=bob"]
    screened = screen_overrides(overrides)
    assert screened.ignored == ("manifest.store=elsewhere", "++manifest.owner=bob")
    assert screened.kept == ("seed=3",) and screened.refused == ()


def test_applied_and_ignored_overrides_are_counted(conf: Path) -> None:
    document = manifest({**PARAMS, "seed": 3}, "seed=3", "manifest.store=x", "manifest.owner=y")

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert not admission.refused
    assert rows(admission)[0] == (
        "trust.overrides",
        "pass",
        "1 recorded override(s) applied; ignored (bookkeeping): manifest.store=x, manifest.owner=y",
    )
    assert admission.recomposed is not None and admission.recomposed.overrides == ("seed=3",)


def test_every_refused_override_is_a_failed_check_and_nothing_is_composed(conf: Path) -> None:
    document = manifest(None, "seed=3", "manifest.task=a:b", "x=1,2")

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.refused and admission.recomposed is None and len(rows(admission)) == 2
    assert [(c.check, c.status, c.pointer, c.found) for c in admission.checks] == [
        ("trust.overrides", "fail", "/overrides/1", "manifest.task=a:b"),
        ("trust.overrides", "fail", "/overrides/2", "x=1,2"),
    ]
    assert all(c.message.startswith("refused: ") for c in admission.checks)


def test_too_many_overrides_are_refused_before_hydra_parses_them(conf: Path) -> None:
    document = manifest(None, *(["key=[unclosed"] * 1001))

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    ((check, status, message),) = rows(admission)
    assert (check, status) == ("trust.bounds", "fail")
    assert message == "refused before composing: 1001 overrides (at most 1000)"
    assert admission.checks[0].pointer == "/overrides"


# -- the config and its task -------------------------------------------------------


@pytest.mark.parametrize("name", ["config", "_private", "model/small", "a-b/c_d2"])
def test_plain_config_names_are_taken(name: str) -> None:
    assert config_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (None, "the manifest names no config (it was not recorded from a config file)"),
        ("", "the manifest names no config (it was not recorded from a config file)"),
        (7, "the manifest names no config (it was not recorded from a config file)"),
        ("../etc/passwd", "'../etc/passwd' is not a plain config name"),
        ("/abs", "'/abs' is not a plain config name"),
        ("-flag", "'-flag' is not a plain config name"),
        ("a/", "'a/' is not a plain config name"),
        ("a b", "'a b' is not a plain config name"),
        ("config.yaml", "'config.yaml' is not a plain config name"),
        ("ok\n", "'ok\\n' is not a plain config name"),
    ],
)
def test_a_config_name_that_names_no_plain_config_is_refused(
    conf: Path, name: Any, problem: str
) -> None:
    assert config_name_problem(name) == problem

    admission = admit(manifest(config_name=name), "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    ((check, status, message),) = rows(admission)
    assert (check, status, message) == ("trust.config", "fail", f"refused: {problem}")
    assert admission.checks[0].pointer == "/config_name"


def test_a_config_with_no_task_is_refused_naming_both_reasons(conf: Path) -> None:
    admission = admit(manifest(config_name="notask"), "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    task = admission.checks[-1]
    assert (task.check, task.status, task.pointer) == ("trust.task", "fail", "/task")
    assert task.message.startswith(f"refused: {conf / 'notask'}.yaml names no task")
    assert task.message.endswith("; it was not imported")
    assert (task.expected, task.found) == ("an app it names", "pkg.mod:run")


@pytest.mark.parametrize("given", [False, True])
def test_apps_are_looked_for_in_the_project_folder_by_default_the_current_one(
    conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: bool
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.hydra-manifest]\napps = "bad"\n')
    monkeypatch.chdir(conf if given else tmp_path)  # conf holds no pyproject.toml

    project = {"project_dir": tmp_path} if given else {}
    admission = admit(manifest(config_name="notask"), "run", config_dir=conf, **project)

    assert admission.refused
    assert f"{tmp_path / 'pyproject.toml'}: /tool.hydra-manifest/apps: bad list of apps" in (
        admission.checks[-1].message
    )


def test_a_task_other_than_the_configs_is_refused(conf: Path) -> None:
    admission = admit(manifest(task="other.mod:run"), "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    task = admission.checks[-1]
    assert task.check == "trust.task" and task.status == "fail"
    assert f"{conf / 'config'}.yaml names task pkg.mod:run" in task.message
    assert (task.expected, task.found) == ("pkg.mod:run", "other.mod:run")


def test_overrides_that_do_not_recompose_are_refused(conf: Path) -> None:
    admission = admit(manifest(None, "no_such_key=1"), "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    assert [c.status for c in admission.checks] == ["pass", "fail"]
    assert "Could not override 'no_such_key'" in admission.checks[-1].message


def test_a_config_the_folder_lacks_is_refused_as_a_config(conf: Path) -> None:
    admission = admit(manifest(config_name="gone"), "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    check = admission.checks[-1]
    assert (check.check, check.pointer, check.found) == ("trust.config", "/config_name", "gone")
    assert check.message.startswith(f"refused: the repository has no config gone.yaml in {conf}")


# -- the parameter vector ----------------------------------------------------------


def test_the_recorded_parameter_vector_is_admitted_with_clock_values_named(conf: Path) -> None:
    document = manifest({**PARAMS, "seed": 3}, "seed=3")

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert [s for _, s, _ in rows(admission)] == ["pass", "pass", "pass"]
    assert rows(admission)[0][2] == "1 recorded override(s) applied"
    params = admission.checks[-1]
    assert (params.subject, params.check, params.pointer) == ("run", "params", "/params_digest")
    assert params.message == (
        "the repository composes the recorded parameter vector; "
        "from the record (clock/runtime): started"
    )
    assert params.expected == params.found == document["params_digest"]
    assert admission.recomposed is not None and admission.recomposed.params["seed"] == 3


def test_every_clock_value_taken_from_the_record_is_named(conf: Path) -> None:
    (conf / "config.yaml").write_text(CONFIG + "stamp: run-${started}\n")
    document = manifest({**PARAMS, "stamp": "run-12"})

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.checks[-1].message.endswith("from the record (clock/runtime): stamp, started")


def test_without_clock_values_the_params_check_names_none(conf: Path) -> None:
    (conf / "config.yaml").write_text(CONFIG.replace("started: ${now:%H}\n", ""))
    document = manifest({"seed": 0, "lr": 0.1, "label": "thé"})

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.checks[-1].message == "the repository composes the recorded parameter vector"


def test_edited_params_are_refused_naming_each_key_with_both_values(conf: Path) -> None:
    document = manifest({"seed": 0, "lr": 0.5, "label": "café", "started": "12", "extra": 1})

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.refused and len(rows(admission)) == 6
    summary, *keys = [c for c in admission.checks if c.check == "params"]
    assert summary.expected == digest_of(PARAMS)
    assert summary.message == (
        "refused (pass --trust to re-run anyway): the recorded parameters are not what the "
        "repository composes from the recorded overrides: 3 key(s) differ: extra, label, lr"
    )
    assert (summary.pointer, summary.found) == ("/params_digest", document["params_digest"])
    assert [(c.message, c.pointer, c.expected, c.found) for c in keys] == [
        ("extra differs", "/params/extra", "absent", "1"),
        ("label differs", "/params/label", '"thé"', '"café"'),
        ("lr differs", "/params/lr", "0.1", "0.5"),
    ]
    assert all(c.status == "fail" for c in admission.checks[2:])


def test_with_trust_edited_params_are_re_run_and_the_check_fails(conf: Path) -> None:
    document = manifest({"seed": 0, "lr": 0.1, "label": "thé", "started": "12", "gone": None})
    del document["params"]["lr"]
    document["params_digest"] = digest_of(document["params"])

    admission = admit(document, "run", config_dir=conf, project_dir=conf, trust=True)

    assert not admission.refused and admission.recomposed is not None
    summary, *keys = [c for c in admission.checks if c.check == "params"]
    assert summary.status == "fail" and summary.message.startswith("re-run anyway (--trust): ")
    assert [(c.pointer, c.expected, c.found) for c in keys] == [
        ("/params/gone", "absent", "null"),
        ("/params/lr", "0.1", "absent"),
    ]


def test_nested_and_null_parameters_are_compared_key_by_key(conf: Path) -> None:
    (conf / "nested.yaml").write_text(
        "defaults:\n  - manifest_schema\n  - _self_\noptim:\n  momentum: 0.9\n  decay: null\n"
        "manifest:\n  task: pkg.mod:run\n"
    )
    document = manifest({"optim": {"momentum": 0.8}}, config_name="nested")

    admission = admit(document, "run", config_dir=conf, project_dir=conf, trust=True)

    assert [(c.message, c.pointer, c.expected, c.found) for c in admission.checks[3:]] == [
        ("optim.decay differs", "/params/optim/decay", "null", "absent"),
        ("optim.momentum differs", "/params/optim/momentum", "0.9", "0.8"),
    ]
    assert admission.checks[2].expected == digest_of({"optim": {"momentum": 0.9, "decay": None}})
    assert len(rows(admission)) == 5


def test_a_value_of_another_type_is_a_difference(conf: Path) -> None:
    document = manifest(
        {"seed": False, "lr": 0.1, "label": "thé", "started": "12"}
    )  # False == 0 in Python

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    assert admission.refused
    assert [(c.pointer, c.expected, c.found) for c in admission.checks[3:]] == [
        ("/params/seed", "0", "false")
    ]


def test_at_most_twenty_differing_keys_are_listed(conf: Path) -> None:
    extra = {f"k{i:02d}": i for i in range(25)}
    document = manifest({**PARAMS, **extra})

    admission = admit(document, "run", config_dir=conf, project_dir=conf)

    summary, *keys = admission.checks[2:]
    assert "25 key(s) differ: k00, k01," in summary.message
    assert summary.message.endswith("k18, k19")
    assert [c.pointer for c in keys] == [f"/params/k{i:02d}" for i in range(20)]


# -- the apps the repository names ---------------------------------------------------


def test_no_pyproject_or_no_table_declares_no_apps(tmp_path: Path) -> None:
    assert declared_apps(tmp_path) == ()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert declared_apps(tmp_path) == ()
    (tmp_path / "pyproject.toml").write_text("[tool.hydra-manifest]\nstore = 'm'\n")
    assert declared_apps(tmp_path) == ()


def test_declared_apps_are_read_in_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.hydra-manifest]\napps = ["b.train:main", "a:run"]\n'
    )
    assert declared_apps(tmp_path) == ("b.train:main", "a:run")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "[tool]\nhydra-manifest = 3\n",
            ": /tool.hydra-manifest: not a table (expected a table, found a value)",
            id="not-a-table",
        ),
        pytest.param(
            "tool = 3\n",
            ": /tool.hydra-manifest: not a table (expected a table, found a value)",
            id="tool-not-a-table",
        ),
        pytest.param(
            '[tool.hydra-manifest]\napps = "a:main"\n',
            ": /tool.hydra-manifest/apps: bad list of apps "
            "(expected a list of \"module:function\" strings, found 'a:main')",
            id="a-string",
        ),
        pytest.param(
            '[tool.hydra-manifest]\napps = ["a:main", 3]\n',
            ": /tool.hydra-manifest/apps: bad list of apps "
            "(expected a list of \"module:function\" strings, found ['a:main', 3])",
            id="not-all-strings",
        ),
        pytest.param("[tool.hydra-manifest\n", ": not valid TOML: ", id="toml"),
        pytest.param(b"name = '\xff'\n", ": not valid TOML: ", id="utf8"),
    ],
)
def test_a_bad_declaration_names_the_file_and_key(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())

    with pytest.raises(ConfigError) as raised:
        declared_apps(tmp_path)

    assert raised.value.describe().startswith(f"{path}{message}")


def test_an_unreadable_pyproject_names_the_file_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.hydra-manifest]\n")

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # chmod 000 does not stop root
    with pytest.raises(ConfigError) as raised:
        declared_apps(tmp_path)
    assert raised.value.describe() == f"{path}: cannot read: Permission denied"


def test_a_long_bad_list_is_shown_cut_to_80_characters(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.hydra-manifest]\napps = [{'1, ' * 60}1]\n")
    with pytest.raises(ConfigError) as raised:
        declared_apps(tmp_path)
    assert raised.value.found == repr([1] * 61)[:80]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository holding a module, a package and an untracked file."""
    root = tmp_path / "repo"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "nsp").mkdir()
    (root / "plain.py").write_text("X = 1\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "train.py").write_text("X = 1\n")
    (root / "json.py").write_text("X = 1\n")
    (root / "modèle.py").write_text("X = 1\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    (root / "untracked.py").write_text("X = 1\n")
    (root / "added.py").write_text("X = 1\n")
    git(root, "add", "added.py")
    return root


def test_a_module_is_located_without_importing_it_the_project_first(project: Path) -> None:
    assert locate("plain", project) == project / "plain.py"
    assert locate("pkg.sub.train", project) == project / "pkg" / "sub" / "train.py"
    assert locate("pkg", project) == project / "pkg" / "__init__.py"
    assert locate("json", project) == project / "json.py"  # shadows the standard library
    assert "pkg.sub.train" not in sys.modules


@pytest.mark.parametrize(
    "module", ["nowhere", "pkg.nowhere", "plain.sub", "pkg.sub.train.x", "nsp"]
)
def test_a_module_no_file_holds_is_not_located(project: Path, module: str) -> None:
    assert locate(module, project) is None


def test_without_git_nothing_is_tracked_and_no_app_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "gitless_app.py").write_text(APP)
    monkeypatch.setenv("PATH", "")

    assert not tracked_at_head(project / "plain.py", project)
    with pytest.raises(UnnamedApp, match=r"^gitless_app.py \(module gitless_app\) is not tracked"):
        admit_app("gitless_app:main", project)
    assert "gitless_app" not in sys.modules


def test_no_file_is_tracked_before_the_first_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text(APP)
    git(tmp_path, "add", "app.py")
    assert not tracked_at_head(tmp_path / "app.py", tmp_path)


def test_outside_git_a_module_of_the_project_folder_is_refused_as_untracked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "loose_app.py").write_text(APP)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # neither the project folder nor above it

    with pytest.raises(UnnamedApp, match=r"^loose_app.py \(module loose_app\) is not tracked"):
        admit_app("loose_app:main", project)


def test_only_files_of_the_checked_out_commit_are_tracked(project: Path, tmp_path: Path) -> None:
    assert tracked_at_head(project / "plain.py", project)
    assert tracked_at_head(project / "pkg" / "sub" / "train.py", project / "pkg")
    assert tracked_at_head(project / "modèle.py", project)  # git quotes such names unless -z
    assert not tracked_at_head(project / "untracked.py", project)
    assert not tracked_at_head(project / "added.py", project)  # staged, not committed
    outside = tmp_path / "outside.py"
    outside.write_text("")
    assert not tracked_at_head(outside, project)
    assert not tracked_at_head(outside, tmp_path)  # not a git work tree


@pytest.mark.parametrize(
    ("source", "function", "declares"),
    [
        pytest.param(
            "import hydra\n@hydra.main(config_path=None)\ndef main(c): ...\n",
            "main",
            True,
            id="call",
        ),
        pytest.param("import hydra\n@hydra.main\ndef main(c): ...\n", "main", True, id="bare"),
        pytest.param("import hydra as h\n@h.main()\ndef run(c): ...\n", "run", True, id="alias"),
        pytest.param("from hydra import main\n@main()\ndef go(c): ...\n", "go", True, id="from"),
        pytest.param(
            "from hydra import main as m\n@m()\ndef go(c): ...\n", "go", True, id="from-as"
        ),
        pytest.param(
            "import hydra.utils\n@hydra.main()\ndef main(c): ...\n", "main", True, id="sub"
        ),
        pytest.param(
            "from hydra import main\nfrom hydra import utils\n@main()\ndef go(c): ...\n",
            "go",
            True,
            id="two-from",
        ),
        pytest.param(
            "import x\n@x.cache\n@hydra.main()\ndef main(c): ...\n", "main", True, id="2nd"
        ),
        pytest.param("import hydra\n@hydra.main()\ndef main(c): ...\n", "other", False, id="name"),
        pytest.param("import hydra\ndef main(c): ...\n", "main", False, id="undecorated"),
        pytest.param("import other\n@other.main()\ndef main(c): ...\n", "main", False, id="other"),
        pytest.param("import hydra\n@hydra.other()\ndef main(c): ...\n", "main", False, id="attr"),
        pytest.param("from other import main\n@main()\ndef main(c): ...\n", "main", False, id="fo"),
        pytest.param(
            "from hydra import utils\n@utils()\ndef main(c): ...\n", "main", False, id="u"
        ),
        pytest.param(
            "import hydra\n@hydra.main()\nasync def main(c): ...\n", "main", False, id="async"
        ),
        pytest.param(
            "import hydra\nclass A:\n    @hydra.main()\n    def main(c): ...\n",
            "main",
            False,
            id="m",
        ),
        pytest.param("import hydra\n@hydra.main(\ndef main(c): ...\n", "main", False, id="syntax"),
        pytest.param("import hydra\n\0\n", "main", False, id="nul"),
    ],
)
def test_a_hydra_main_function_is_read_not_imported(
    tmp_path: Path, source: str, function: str, declares: bool
) -> None:
    file = tmp_path / "app.py"
    file.write_text(source)
    assert declares_hydra_main(file, function) is declares


def test_a_file_that_cannot_be_read_declares_nothing(tmp_path: Path) -> None:
    assert declares_hydra_main(tmp_path / "missing.py", "main") is False


@pytest.fixture
def forget(tmp_path: Path) -> Iterator[None]:
    """Forget modules imported from ``tmp_path``."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if (getattr(sys.modules[name], "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


APP = "import hydra\n\n@hydra.main(version_base=None, config_path=None)\ndef main(cfg): ...\n"


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ("not an entry point", "'not an entry point' is not an entry point (module:function)"),
        ("plain", "'plain' is not an entry point (module:function)"),
        ("plain:main\n", "'plain:main\\n' is not an entry point (module:function)"),
        (
            "nowhere:main",
            "module nowhere is not a file the repository holds, and nowhere:main is not "
            "declared under [tool.hydra-manifest] apps in pyproject.toml",
        ),
        (
            "untracked:main",
            "untracked.py (module untracked) is not tracked in the repository's git at HEAD, "
            "and untracked:main is not declared under [tool.hydra-manifest] apps in "
            "pyproject.toml",
        ),
        (
            "pkg.sub.train:main",
            "pkg/sub/train.py defines no @hydra.main function main, and pkg.sub.train:main "
            "is not declared under [tool.hydra-manifest] apps in pyproject.toml",
        ),
    ],
)
def test_an_app_the_repository_does_not_name_is_refused_unimported(
    project: Path, task: str, message: str
) -> None:
    with pytest.raises(UnnamedApp) as raised:
        admit_app(task, project)
    assert raised.value.describe() == message
    assert task.partition(":")[0] not in sys.modules


def test_a_module_found_outside_the_repository_is_refused(project: Path) -> None:
    with pytest.raises(UnnamedApp) as raised:
        admit_app("textwrap:dedent", project)
    assert raised.value.describe().startswith(
        f"module textwrap is not a file the repository holds ({locate('textwrap', project)}), "
    )


@pytest.mark.usefixtures("forget", "app_imports")
def test_a_tracked_hydra_main_app_is_imported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "trusty_app.py").write_text(APP)
    git(project, "add", "trusty_app.py")
    git(project, "commit", "-q", "-m", "app")
    monkeypatch.chdir(project)

    app, how = admit_app("trusty_app:main", project)

    assert how == "trusty_app.py is tracked in git"
    assert app.file == project / "trusty_app.py" and "trusty_app" in sys.modules


@pytest.mark.usefixtures("forget", "app_imports")
def test_a_declared_app_is_imported_untracked(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "declared_app.py").write_text(APP)
    (project / "pyproject.toml").write_text('[tool.hydra-manifest]\napps = ["declared_app:main"]\n')
    monkeypatch.chdir(project)

    app, how = admit_app("declared_app:main", project)

    assert how == "declared in pyproject.toml" and app.file == project / "declared_app.py"


@pytest.mark.usefixtures("forget", "app_imports")
def test_an_app_tracked_above_the_project_folder_is_shown_by_its_full_path(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "upper_app.py").write_text("X = 1\n")
    git(project, "add", "upper_app.py")
    git(project, "commit", "-q", "-m", "upper")
    monkeypatch.syspath_prepend(str(project))

    with pytest.raises(UnnamedApp) as raised:
        admit_app("upper_app:main", project / "pkg")

    assert raised.value.describe().startswith(
        f"{project / 'upper_app.py'} defines no @hydra.main function main"
    )


@pytest.mark.parametrize("declared", [False, True])
@pytest.mark.usefixtures("forget", "app_imports")
def test_an_app_already_imported_from_another_file_is_refused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    (project / "twin_app.py").write_text(APP)
    git(project, "add", "twin_app.py")
    git(project, "commit", "-q", "-m", "twin")
    if declared:
        (project / "pyproject.toml").write_text('[tool.hydra-manifest]\napps = ["twin_app:main"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "twin_app.py").write_text(APP)
    monkeypatch.syspath_prepend(str(elsewhere))
    __import__("twin_app")
    monkeypatch.chdir(project)

    with pytest.raises(TaskError) as raised:
        admit_app("twin_app:main", project)

    assert raised.value.describe().startswith(
        f"module twin_app is imported from {elsewhere / 'twin_app.py'}, not from the "
        f"repository's {project / 'twin_app.py'}"
    )
