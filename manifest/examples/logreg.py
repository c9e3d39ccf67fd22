"""Logistic regression on synthetic data, in NumPy: the bundled example.

``train`` generates a fixed two-class problem (``data.seed``) and a fixed
test split; the run's ``seed`` draws the training subsample (a
``data.train_fraction`` of the training split) that it fits a logistic
regression on, by full-batch gradient descent (deterministic for a seed) or
by minibatch SGD (``optimizer.kind=sgd``: the seed also orders the
minibatches). So ``seed=3`` gives other metrics than ``seed=0``. It writes
the model (``model.npz``) and test-set predictions (``predictions.csv``) to
the working directory, and returns its metrics.

Products of a matrix and a vector go through ``np.einsum`` (its own loops)
rather than ``@`` (BLAS): with NumPy 1.x, OpenBLAS splits them across threads
and the sum order, hence the model's bytes, then depend on the thread count,
so a re-run in a worker with one thread (``verify --jobs 2``) would not be
byte-identical. ``_mv`` gives the same bytes whatever the thread count.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def make_data(n: int, d: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=d)
    x = rng.normal(size=(n, d))
    logits = _mv(x, weights) + noise * rng.normal(size=n)
    y = (logits > 0).astype(np.float64)
    return x, y


def _mv(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` without BLAS, so its sum order is fixed."""
    result: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return result


def _subsample(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    """The sorted indices of a seeded ``fraction`` of ``range(n)``."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"data.train_fraction must be in (0, 1], not {fraction!r}")
    return np.sort(rng.permutation(n)[: max(1, round(n * fraction))])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return result


def fit(
    x: np.ndarray,
    y: np.ndarray,
    *,
    kind: str,
    lr: float,
    epochs: int,
    batch_size: int,
    l2: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    w = np.zeros(x.shape[1])
    b = 0.0
    n = len(y)
    for _ in range(epochs):
        if kind == "gd":
            batches = [np.arange(n)]
        elif kind == "sgd":
            order = rng.permutation(n)
            batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        else:
            raise ValueError(f"optimizer.kind must be 'gd' or 'sgd', not {kind!r}")
        for idx in batches:
            p = _sigmoid(_mv(x[idx], w) + b)
            err = p - y[idx]
            w -= lr * (_mv(x[idx].T, err) / len(idx) + l2 * w)
            b -= lr * float(err.mean())
    return w, b


def train(cfg: Any) -> dict[str, float]:
    """Generate data, fit, write ``model.npz`` and ``predictions.csv``, return metrics."""
    data, opt = cfg.data, cfg.optimizer
    x, y = make_data(int(data.n_samples), int(data.n_features), float(data.noise), int(data.seed))
    split = int(len(y) * (1 - float(data.test_fraction)))
    rng = np.random.default_rng(int(cfg.seed))
    train = _subsample(rng, split, float(data.get("train_fraction", 1.0)))
    w, b = fit(
        x[train],
        y[train],
        kind=str(opt.kind),
        lr=float(opt.lr),
        epochs=int(opt.epochs),
        batch_size=int(opt.batch_size),
        l2=float(opt.l2),
        rng=rng,
    )
    p = _sigmoid(_mv(x[split:], w) + b)
    y_test = y[split:]
    eps = 1e-12
    log_loss = float(-np.mean(y_test * np.log(p + eps) + (1 - y_test) * np.log(1 - p + eps)))
    predicted = (p >= 0.5).astype(np.float64)
    tp = float(np.sum((predicted == 1) & (y_test == 1)))
    precision = tp / max(float(predicted.sum()), 1.0)
    recall = tp / max(float(y_test.sum()), 1.0)
    np.savez("model.npz", weights=w, bias=np.array([b]))
    with open("predictions.csv", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("index,probability,label\n")
        for i, (prob, label) in enumerate(zip(p, y_test, strict=True)):
            handle.write(f"{i},{prob:.12f},{int(label)}\n")
    return {
        "accuracy": float(np.mean(predicted == y_test)),
        "log_loss": log_loss,
        "precision": precision,
        "recall": recall,
        "weight_norm": float(np.linalg.norm(w)),
    }
