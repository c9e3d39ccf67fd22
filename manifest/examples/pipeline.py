"""The example pipeline: prepare -> train -> evaluate, one run per stage.

Each stage is a run of its own with its own manifest, and the manifests join
by content (``manifest lineage``): ``prepare`` writes the data set
(``train.npz``, ``test.npz``); ``train`` reads ``train.npz`` (recorded as an
input, with its sha256) and writes ``model.npz``; ``evaluate`` reads the
model and ``test.npz`` and reports the test metrics. The configs are in
``conf/pipeline/``; each stage writes to a fixed folder under
``outputs/pipeline/`` where the next one reads, and first removes what it
wrote there before: a run that fails half way must not list its
predecessor's files among its own artifacts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .logreg import _sigmoid, fit, make_data

SOURCES = ("synthetic://logreg/v1",)


def _fresh(*names: str) -> None:
    """Remove the outputs an earlier run left in this (fixed) run folder."""
    for name in names:
        Path(name).unlink(missing_ok=True)


def _load(path: Any) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file; a relative path is relative to the
    project folder (the task runs in its run folder)."""
    from hydra.utils import to_absolute_path

    with np.load(to_absolute_path(str(path))) as data:
        return {name: data[name] for name in data.files}


def prepare(cfg: Any) -> dict[str, float]:
    """Generate the data set named by ``data.source``, split it, write
    ``train.npz`` and ``test.npz``."""
    _fresh("train.npz", "test.npz")
    data = cfg.data
    if str(data.source) not in SOURCES:
        raise ValueError(f"unknown data source {data.source!r}: this example knows {SOURCES}")
    x, y = make_data(int(data.n_samples), int(data.n_features), float(data.noise), int(data.seed))
    split = int(len(y) * (1 - float(data.test_fraction)))
    np.savez("train.npz", x=x[:split], y=y[:split])
    np.savez("test.npz", x=x[split:], y=y[split:])
    return {"train_rows": split, "test_rows": len(y) - split, "positive_rate": float(y.mean())}


def _scores(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    eps = 1e-12
    predicted = (p >= 0.5).astype(np.float64)
    tp = float(np.sum((predicted == 1) & (y == 1)))
    return {
        "accuracy": float(np.mean(predicted == y)),
        "log_loss": float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))),
        "precision": tp / max(float(predicted.sum()), 1.0),
        "recall": tp / max(float(y.sum()), 1.0),
    }


def train(cfg: Any) -> dict[str, float]:
    """Fit the model on ``data.train``, write ``model.npz``."""
    _fresh("model.npz")
    data, opt = _load(cfg.data.train), cfg.optimizer
    w, b = fit(
        data["x"],
        data["y"],
        kind=str(opt.kind),
        lr=float(opt.lr),
        epochs=int(opt.epochs),
        batch_size=int(opt.batch_size),
        l2=float(opt.l2),
        rng=np.random.default_rng(int(cfg.seed)),
    )
    np.savez("model.npz", weights=w, bias=np.array([b]))
    fitted = _scores(_sigmoid(data["x"] @ w + b), data["y"])
    return {"train_accuracy": fitted["accuracy"], "train_log_loss": fitted["log_loss"]}


def evaluate(cfg: Any) -> Mapping[str, float]:
    """Score ``model`` on ``data.test``, write ``predictions.csv``."""
    _fresh("predictions.csv")
    model, test = _load(cfg.model), _load(cfg.data.test)
    p = _sigmoid(test["x"] @ model["weights"] + float(model["bias"][0]))
    with open("predictions.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("index,probability,label\n")
        for i, (prob, label) in enumerate(zip(p, test["y"], strict=True)):
            handle.write(f"{i},{prob:.12f},{int(label)}\n")
    return _scores(p, test["y"])
