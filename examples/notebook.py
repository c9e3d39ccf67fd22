# %% [markdown]
# # Runs from a notebook
#
# Record runs with `manifest.start_run`, look at them with
# `manifest.runs(...).to_pandas()`, and compare two variants with
# `manifest.compare`, all from Python. The configs are the bundled example's
# (`conf/`), composed with Hydra's compose API as a notebook would; each
# cell runs as is (Jupyter, VS Code and Jupytext read the `# %%` markers),
# or the whole file with `python examples/notebook.py`. Manifests go to
# `notebook-runs/` in the current folder.

# %%
from pathlib import Path

import numpy as np
from hydra import compose, initialize_config_dir

import manifest
from manifest.examples.logreg import make_data

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path("examples").resolve()
CONF = HERE.parent / "conf"
STORE = Path("notebook-runs")


def config(optimizer: str, seed: int):
    """The bundled example's config, composed as `manifest run` would."""
    with initialize_config_dir(config_dir=str(CONF), version_base=None):
        return compose("config", [f"optimizer={optimizer}", f"seed={seed}"])


# %% [markdown]
# A training loop that logs its loss at every epoch (the steps go to the
# run's `metrics.jsonl`; the manifest keeps the last value) and saves its
# model into the run directory, where every file is recorded with its sha256.


# %%
def train(cfg, run) -> None:
    data, opt = cfg.data, cfg.optimizer
    x, y = make_data(data.n_samples, data.n_features, data.noise, data.seed)
    split = int(len(y) * (1 - data.test_fraction))
    rng = np.random.default_rng(cfg.seed)
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(opt.epochs):
        order = rng.permutation(split) if opt.kind == "sgd" else np.arange(split)
        size = opt.batch_size if opt.kind == "sgd" else split
        for start in range(0, split, size):
            idx = order[start : start + size]
            p = 1 / (1 + np.exp(-(x[idx] @ w + b)))
            w -= opt.lr * (x[idx].T @ (p - y[idx]) / len(idx) + opt.l2 * w)
            b -= opt.lr * float((p - y[idx]).mean())
        p = np.clip(1 / (1 + np.exp(-(x[:split] @ w + b))), 1e-12, 1 - 1e-12)
        loss = -np.mean(y[:split] * np.log(p) + (1 - y[:split]) * np.log(1 - p))
        run.log_metric("train_loss", float(loss), step=epoch)
    p = 1 / (1 + np.exp(-(x[split:] @ w + b)))
    run.log_metrics({"accuracy": float(np.mean((p >= 0.5) == y[split:]))})
    np.savez(run.dir / "model.npz", weights=w, bias=np.array([b]))


# %% [markdown]
# Five seeds of full-batch gradient descent and five of minibatch SGD.

# %%
for optimizer in ("gd", "sgd"):
    for seed in range(5):
        cfg = config(optimizer, seed)
        with manifest.start_run(cfg, store=STORE / optimizer) as run:
            train(cfg, run)
        print(run.manifest.status, run.run_id, dict(run.manifest.metrics))

# %% [markdown]
# The runs as a table (a pandas DataFrame, indexed by run id).

# %%
table = manifest.runs([STORE / "gd", STORE / "sgd"], sort="-metrics.accuracy")
frame = table.to_pandas(["run_id", "folder", "params.seed", "metrics.accuracy"])
print(frame.to_string(index=False))

# %% [markdown]
# Does SGD do better than gradient descent? The same comparison
# `manifest compare notebook-runs/gd notebook-runs/sgd` prints.

# %%
comparison = manifest.compare(
    STORE / "gd", STORE / "sgd", metrics=["accuracy"], directions={"accuracy": "higher"}
)
accuracy = comparison.metric("accuracy")
before, after = accuracy.baseline.mean, accuracy.candidate.mean
print(f"accuracy: {before:.4f} -> {after:.4f}: {accuracy.verdict}")

# %% [markdown]
# Any recorded run can be loaded back, checked whole (schema and digest).

# %%
best = manifest.load(table.rows[0].path)
print(best.run_id, best.task, best.metrics["accuracy"], [a["path"] for a in best.artifacts])
