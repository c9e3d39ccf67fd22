"""Hydra apps in each of Hydra's documented styles, as users write them.

Each knows nothing of this project but the config that Hydra finds through
the ``hydra_plugins`` package (``hydra/callbacks=manifest``). :func:`make`
writes one into a fresh git repository and commits it; :func:`run` starts it
in a subprocess, as its user would. Every app is deterministic for its seed,
writes ``model.txt`` into its run directory and returns ``score`` and
``loss``; module names differ between styles, since ``verify`` imports the app
into the test process.
"""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from conftest import git, python

# The body every app shares: a seeded "training" that writes its model file
# into the run directory and returns two metrics.
TRAIN = """\
def train(lr, width, seed):
    import random
    from pathlib import Path

    from hydra.core.hydra_config import HydraConfig

    rng = random.Random(seed)
    weights = [round(rng.gauss(0, 1) * lr, 9) for _ in range(width)]
    out = Path(HydraConfig.get().runtime.output_dir) / "model.txt"
    out.write_text(" ".join(map(str, weights)) + "\\n")
    score = 1 - abs(sum(weights)) / (1 + width)
    return {"score": round(score, 9), "loss": round(1 - score + lr / 10, 9)}
"""

GROUPS_APP = f"""\
import hydra
from omegaconf import DictConfig

{TRAIN}

@hydra.main(version_base=None, config_path="conf", config_name="config")
def main(cfg: DictConfig):
    return train(cfg.optimizer.lr, cfg.model.width, cfg.seed)


if __name__ == "__main__":
    main()
"""

GROUPS_CONFIG = """\
defaults:
  - model: small
  - optimizer: adam
  - override hydra/callbacks: manifest
  - _self_

seed: 0
manifest:
  store: manifests
  owner: vision-team
  metrics: {score: higher, loss: lower}
"""

STRUCTURED_APP = f"""\
from dataclasses import dataclass, field

import hydra
from hydra.core.config_store import ConfigStore

{TRAIN}

@dataclass
class Optimizer:
    lr: float = 0.1


@dataclass
class Config:
    optimizer: Optimizer = field(default_factory=Optimizer)
    width: int = 4
    seed: int = 0


ConfigStore.instance().store(name="base", node=Config)


@hydra.main(version_base=None, config_name="base")
def main(cfg: Config):
    return train(cfg.optimizer.lr, cfg.width, cfg.seed)


if __name__ == "__main__":
    main()
"""

INSTANTIATE_APP = f"""\
import hydra
from hydra.utils import instantiate

{TRAIN}

class Net:
    def __init__(self, width, activation):
        self.width = width
        self.activation = activation


class Optimizer:
    def __init__(self, lr, momentum=0.0):
        self.lr = lr + momentum / 100


@hydra.main(version_base=None, config_path="conf", config_name="config")
def main(cfg):
    net = instantiate(cfg.net)
    optimizer = instantiate(cfg.optimizer)
    return train(optimizer.lr, net.width, cfg.seed)


if __name__ == "__main__":
    main()
"""

INSTANTIATE_CONFIG = """\
net:
  _target_: inst_app.Net
  width: 5
  activation: relu
optimizer:
  _target_: inst_app.Optimizer
  lr: 0.05
  momentum: 0.9
seed: 0
"""

MODULE_APP = f"""\
import hydra

{TRAIN}

@hydra.main(version_base=None, config_path="conf", config_name="train")
def main(cfg):
    return train(cfg.lr, cfg.width, cfg.seed)


if __name__ == "__main__":
    main()
"""

SWEEP_APP = f"""\
import hydra

{TRAIN}

@hydra.main(version_base=None, config_path="conf", config_name="sweep")
def main(cfg):
    return train(cfg.lr, cfg.width, cfg.seed)


if __name__ == "__main__":
    main()
"""

SWEEP_CONFIG = """\
defaults:
  - override hydra/callbacks: manifest
  - _self_

lr: 0.1
width: 3
seed: 0
hydra:
  sweeper:
    params:
      seed: 0,1,2
"""


@dataclass(frozen=True)
class App:
    """A project holding one app: how to start it, and its entry point."""

    root: Path
    style: str
    launch: tuple[str, ...]  # arguments of ``python`` that start the app
    task: str  # the entry point a manifest records
    callback: tuple[str, ...] = ()  # what adds the callback, when the config does not


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def make(root: Path, style: str) -> App:
    """Write the app of ``style`` into ``root`` (a new git repository)."""
    root.mkdir(parents=True, exist_ok=True)
    hydra_dirs = "hydra:\n  run:\n    dir: outputs/${now:%H-%M-%S.%f}\n"
    app: App
    if style == "groups":
        _write(
            root,
            {
                "grp_app.py": GROUPS_APP,
                "conf/config.yaml": GROUPS_CONFIG + hydra_dirs,
                "conf/model/small.yaml": "width: 3\n",
                "conf/model/large.yaml": "width: 8\n",
                "conf/optimizer/adam.yaml": "lr: 0.01\n",
                "conf/optimizer/sgd.yaml": "lr: 0.1\n",
            },
        )
        app = App(root, style, ("grp_app.py",), "grp_app:main")
    elif style == "structured":
        _write(root, {"struct_app.py": STRUCTURED_APP})
        app = App(root, style, ("struct_app.py",), "struct_app:main", ("hydra/callbacks=manifest",))
    elif style == "instantiate":
        _write(root, {"inst_app.py": INSTANTIATE_APP, "conf/config.yaml": INSTANTIATE_CONFIG})
        app = App(root, style, ("inst_app.py",), "inst_app:main", ("hydra/callbacks=manifest",))
    elif style == "module":
        _write(
            root,
            {
                "modpkg/__init__.py": "",
                "modpkg/train.py": MODULE_APP,
                "modpkg/conf/train.yaml": "lr: 0.2\nwidth: 6\nseed: 0\n",
            },
        )
        app = App(
            root, style, ("-m", "modpkg.train"), "modpkg.train:main", ("hydra/callbacks=manifest",)
        )
    elif style == "sweep":
        _write(root, {"sweep_app.py": SWEEP_APP, "conf/sweep.yaml": SWEEP_CONFIG})
        app = App(root, style, ("sweep_app.py",), "sweep_app:main")
    else:
        raise ValueError(style)
    (root / ".gitignore").write_text("outputs/\nmultirun/\n__pycache__/\n.cache/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the app")
    return app


STYLES = ("groups", "structured", "instantiate", "module", "sweep")


def run(
    app: App, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Start the app as its user would; Hydra's flags (``-m``) go first."""
    flags = [a for a in args if a.startswith("-")]
    overrides = [a for a in args if not a.startswith("-")]
    return python(
        *app.launch,
        *flags,
        *app.callback,
        *overrides,
        cwd=app.root,
        env={"XDG_CACHE_HOME": str(app.root / ".cache"), **(env or {})},
    )
