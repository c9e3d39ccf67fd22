"""Real runs with given metric values, for the compare, gate and registry tests.

:func:`sweep` writes a tiny Hydra project (a config and a task module that
returns, for seed ``s``, the ``s - offset``-th value of each metric list, an
integer or a float as given) and
runs ``manifest run -m seed=...`` through the CLI, so every manifest the tests
compare was recorded by a real run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from manifest.cli import main

TASK_MODULE = "hm_values_task"
TASK = '''
def values(cfg):
    """Return the metric values of this seed; fail when asked to."""
    if cfg.fail_seed is not None and cfg.seed == cfg.fail_seed:
        raise RuntimeError("asked to fail")
    index = cfg.seed - cfg.offset
    return {name: vals[index] for name, vals in cfg["values"].items() if index < len(vals)}
'''
CONFIG = """
defaults:
  - manifest_schema
  - _self_
seed: 0
offset: 0
fail_seed: null
values: {}
manifest:
  task: hm_values_task:values
  store: manifests
hydra:
  run:
    dir: outputs/${now:%H-%M-%S.%f}
  sweep:
    dir: multirun/${now:%H-%M-%S.%f}
    subdir: ${hydra.job.num}
"""


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def project(root: Path) -> Path:
    """Write the config folder and the task module under ``root``; the conf dir."""
    conf = root / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / f"{TASK_MODULE}.py").write_text(TASK, encoding="utf-8")
    return conf


def sweep(
    root: Path,
    store: str,
    metrics: Mapping[str, Sequence[float]],
    *,
    offset: int = 0,
    seeds: Sequence[int] | None = None,
    fail_seed: int | None = None,
    directions: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> Path:
    """Run one job per seed (default ``offset .. offset + n - 1``) recording
    ``metrics``, with the metric ``directions`` declared in the config
    (``manifest.metrics``) and ``extra`` overrides; return the folder of the
    manifests."""
    conf = project(root)
    n = max(len(v) for v in metrics.values())
    seeds = list(seeds) if seeds is not None else list(range(offset, offset + n))
    overrides = [
        f"seed={','.join(str(s) for s in seeds)}",
        f"offset={offset}",
        f"manifest.store={store}",
    ]
    if fail_seed is not None:
        overrides.append(f"fail_seed={fail_seed}")
    for name, values in metrics.items():
        overrides.append(f"+values.{name}=[{','.join(repr(v) for v in values)}]")
    for name, direction in (directions or {}).items():
        overrides.append(f"++manifest.metrics.{name}={direction}")
    overrides.extend(extra)
    folder = root / store
    cached = _cached(overrides)
    if cached is not None and cached.is_dir():
        shutil.copytree(cached, folder)
        return folder
    sys.modules.pop(TASK_MODULE, None)  # import this project's task, not a cached one
    saved = list(sys.path)  # the run imports the task from the project's folder
    try:
        with chdir(root):
            code = main(["run", "--config-dir", str(conf), "-m", *overrides])
    finally:
        sys.path[:] = saved
    expected = 1 if fail_seed is not None else 0
    assert code == expected, f"manifest run exited {code}"
    assert len(list(folder.glob("*.json"))) == len(seeds)
    if cached is not None:
        shutil.copytree(folder, cached, dirs_exist_ok=True)
    return folder


def _cached(overrides: Sequence[str]) -> Path | None:
    """Where a sweep's manifests are kept between test processes, or None.

    Only ``benchmarks/mutation.py`` sets ``MANIFEST_TEST_SWEEP_CACHE``: it
    runs the tests once per mutant, and recording real sweeps each time would
    dominate; the modules it mutates then are not the ones that record.
    """
    cache = os.environ.get("MANIFEST_TEST_SWEEP_CACHE")
    if not cache:
        return None
    key = hashlib.sha256(json.dumps([TASK, CONFIG, *overrides]).encode()).hexdigest()[:16]
    return Path(cache) / key
