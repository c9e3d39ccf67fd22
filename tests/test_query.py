"""`manifest ls --where/--sort/--columns/--limit/--format` and `manifest.runs`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

import manifest
from conftest import run_cli
from manifest.query.table import MissingExtraError
from manifest.query.where import QueryError, parse_where
from runs_kit import example_template, variant, write

SPECS: list[dict[str, Any]] = [
    {"params": {"seed": 0, "optimizer.lr": 0.5}, "metrics": {"accuracy": 0.90}, "owner": "alice"},
    {"params": {"seed": 1, "optimizer.lr": 0.1}, "metrics": {"accuracy": 0.95}, "owner": "bob"},
    {
        "params": {"seed": 2, "optimizer.lr": 0.2},
        "metrics": {"accuracy": 0.80},
        "status": "failed",
        "owner": "ci-bot",
        "overrides": ["seed=2", "optimizer.lr=0.2"],
    },
    {
        "params": {"seed": 3, "optimizer.kind": "sgd", "flag": True},
        "metrics": {"accuracy": 0.85},
        "owner": "ci-nightly",
    },
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return example_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def store(template: dict[str, Any], workdir: Path) -> list[str]:
    """Four runs in manifests/ and one in manifests/sub; their run ids in order."""
    ids = []
    for i, spec in enumerate(SPECS):
        m = variant(template, i, **spec)
        write(workdir / "manifests", m)
        ids.append(m["run_id"])
    sub = variant(template, 4, params={"seed": 4}, metrics={"accuracy": 0.99, "latency": 3})
    write(workdir / "manifests" / "sub", sub)
    return [*ids, sub["run_id"]]


def _ids(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert run_cli("ls", "--format", "json", *args) == 0
    return [row["run_id"] for row in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("params.optimizer.lr < 0.3", [1, 2], id="number-less"),
        pytest.param("params.optimizer.lr == 0.5", [0, 3, 4], id="number-equal"),
        pytest.param("metrics.accuracy >= 0.9 and status == completed", [0, 1, 4], id="and"),
        pytest.param("status == failed or params.seed = 3", [2, 3], id="or"),
        pytest.param("not status == completed", [2], id="not"),
        pytest.param("params.seed in (0, 4)", [0, 4], id="in"),
        pytest.param("params.seed not in [0, 4]", [1, 2, 3], id="not-in"),
        pytest.param("owner ~ 'ci-*'", [2, 3], id="glob"),
        pytest.param("owner !~ ci-*", [0, 1, 4], id="not-glob"),
        pytest.param("params.optimizer.kind == sgd", [3], id="bare-word"),
        pytest.param("params.optimizer.kind != gd", [3], id="not-equal"),
        pytest.param("params.flag == true", [3], id="bool"),
        pytest.param("metrics.latency > 1", [4], id="missing-is-false"),
        pytest.param("not metrics.latency > 1", [0, 1, 2, 3], id="not-missing"),
        pytest.param("params.seed == '1'", [], id="string-never-number"),
        pytest.param("(status == failed or owner == bob) and params.seed > 1", [2], id="parens"),
        pytest.param("created >= 2026-01-01T00:00:02", [2, 3, 4], id="created"),
        pytest.param("overrides ~ 'optimizer.lr=*'", [2], id="overrides-any"),
        pytest.param(
            "task == 'manifest.examples.logreg:train' AND status == failed", [2], id="case"
        ),
        pytest.param("folder == manifests/sub", [4], id="folder"),
    ],
)
def test_where(
    store: list[str], capsys: pytest.CaptureFixture[str], expression: str, expected: list[int]
) -> None:
    found = _ids(capsys, "--where", expression)
    assert sorted(found) == sorted(store[i] for i in expected)


@pytest.mark.parametrize(
    ("expression", "column", "message"),
    [
        pytest.param("params.lr >> 3", 12, "expected a value", id="double-op"),
        pytest.param("metrics.accuracy > ", 20, "found the end", id="no-value"),
        pytest.param("bogus == 1", 1, "unknown field 'bogus'", id="unknown-field"),
        pytest.param("params. == 1", 1, "unknown field", id="empty-key"),
        pytest.param("status == 'open", 11, "unterminated string", id="unterminated"),
        pytest.param("(status == failed", 18, "expected ')'", id="unclosed-paren"),
        pytest.param("status == failed and", 21, "expected a field", id="dangling-and"),
        pytest.param("status completed", 8, "expected an operator", id="no-operator"),
        pytest.param("params.seed in 1, 2", 16, "expected '(' or '['", id="in-needs-list"),
        pytest.param("params.flag > true", 13, "cannot be ordered", id="order-bool"),
        pytest.param("status == failed; rm -rf /", 19, "expected 'and', 'or'", id="junk"),
        pytest.param("__import__('os').system('x')", 1, "unknown field", id="no-eval"),
        pytest.param("", 1, "expected a condition", id="empty"),
        pytest.param("status == a b", 13, "expected 'and', 'or' or the end", id="trailing"),
    ],
)
def test_where_errors(
    store: list[str],
    capsys: pytest.CaptureFixture[str],
    expression: str,
    column: int,
    message: str,
) -> None:
    capsys.readouterr()
    assert run_cli("ls", "--where", expression) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"--where: column {column}: " in err and message in err
    with pytest.raises(QueryError, match=f"column {column}: "):
        parse_where(expression)


def test_sort_limit_columns(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert _ids(capsys, "--sort=-metrics.accuracy") == [store[i] for i in (4, 1, 0, 3, 2)]
    assert _ids(capsys, "--sort", "metrics.latency") == [store[i] for i in (4, 0, 1, 2, 3)]
    assert _ids(capsys, "--sort=-owner", "--limit", "2") == [store[4], store[3]]
    assert _ids(capsys, "--sort=status,-params.seed") == [store[i] for i in (4, 3, 1, 0, 2)]
    assert run_cli("ls", "--sort=nope") == 2
    assert "unknown sort key 'nope'" in capsys.readouterr().err
    capsys.readouterr()
    assert run_cli("ls", "--format", "csv", "--columns", "run_id,params.seed,metrics.acc*") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["run_id", "params.seed", "metrics.accuracy"]
    assert [r["params.seed"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert rows[1]["metrics.accuracy"] == "0.95"
    assert run_cli("ls", "--columns", "run_id,wat") == 2
    assert "unknown column 'wat'" in capsys.readouterr().err


def test_formats(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run_cli("ls", "--where", "params.seed <= 1") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "run_id", "status", "created", "folder", "config",
        "accuracy", "↑", "log_loss", "↓", "precision", "↑", "recall", "↑", "weight_norm",
        "optimizer.lr", "seed",
    ]  # fmt: skip
    assert lines[1].split()[:4] == [store[0], "completed", "2026-01-01", "00:00:00"]
    assert lines[-1] == "2 of 5 runs in manifests; best first: --sort=-metrics.accuracy"
    assert run_cli("ls", "--format", "markdown", "--where", "params.seed <= 1") == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0].startswith("| run_id | status | created | folder |") and md[1].startswith("|---")
    assert f"| {store[1]} | completed |" in md[3]
    assert run_cli("ls", "--format", "json", "--where", "params.seed == 4") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["folder"] == "manifests/sub" and row["path"].endswith(f"sub/{store[4]}.json")
    assert row["params"]["optimizer.lr"] == 0.5 and row["metrics"]["latency"] == 3


def test_unreadable_and_hostile_strings(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir / "m", variant(template, 1, owner="\x1b[31mred\x1b[0m\rbell\x07"))
    (workdir / "m" / "broken.json").write_text('{"a": 1, "a": 2}')
    capsys.readouterr()
    assert run_cli("ls", "m", "--columns", "run_id,status,owner,error") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert "\\x1b[31mred" in out
    assert "unreadable" in out and "duplicate key 'a'" in out
    assert _ids(capsys, "m", "--where", "status == unreadable") == [None]


def test_best_uses_declared_directions(
    template: dict[str, Any], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, (acc, loss) in enumerate([(0.8, 0.3), (0.9, 0.1), (0.7, 0.2)]):
        write(
            workdir / "manifests",
            variant(template, i, metrics={"accuracy": acc, "log_loss": loss},
                    directions={"accuracy": "higher", "log_loss": "lower"}),
        )  # fmt: skip
    order = _ids(capsys, "--best", "log_loss")
    assert [o[-1] for o in order] == ["1", "2", "0"]
    capsys.readouterr()
    assert run_cli("ls") == 0
    out = capsys.readouterr().out
    assert "accuracy ↑" in out and "log_loss ↓" in out
    assert out.splitlines()[-1].endswith("best first: --sort=-metrics.accuracy")
    assert run_cli("ls", "--best", "recall") == 2
    assert "no declared direction" in capsys.readouterr().err


def test_python_api(store: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "runs" in manifest.__all__
    table = manifest.runs("manifests", where="metrics.accuracy > 0.85", sort="-metrics.accuracy")
    assert [r.run_id for r in table] == [store[4], store[1], store[0]]
    assert table[0].metrics["accuracy"] == 0.99 and table[0].params["optimizer.lr"] == 0.5
    assert table.total == 5 and table.varying_params() == ["optimizer.lr", "seed"]
    records = table.to_records(["run_id", "params.seed", "metrics.latency"])
    assert records[0] == {"run_id": store[4], "params.seed": 4, "metrics.latency": 3}
    with pytest.raises(QueryError):
        manifest.runs("manifests", where="metrics.accuracy >")
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"hydra-manifest\[pandas\]"):
        table.to_pandas()


def test_to_pandas(store: list[str]) -> None:
    pandas = pytest.importorskip("pandas", reason="the pandas extra is not installed")
    frame = manifest.runs(Path("manifests"), sort="params.seed").to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.index) == store
    assert frame.loc[store[1], "metrics.accuracy"] == 0.95
    assert frame["params.seed"].tolist() == [0, 1, 2, 3, 4]
