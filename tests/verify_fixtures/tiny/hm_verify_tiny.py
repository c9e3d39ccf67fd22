"""The task of the verify tests' tiny project; ``cfg.mode`` picks what goes wrong."""

import datetime
import os
import pathlib
import random
import time

from hydra.utils import get_original_cwd


def run(cfg):
    project = pathlib.Path(get_original_cwd())
    data = (project / cfg.data_path).read_text()
    rng = random.Random(cfg.seed)
    value = sum(rng.random() for _ in range(10)) + len(data)
    lines = [f"value={value!r}"]
    metrics = {"value": value}
    if cfg.mode == "stamp":
        lines.append(f"written at {datetime.datetime.now().isoformat()}")
    if cfg.mode == "unseeded":
        noise = random.random()  # the module's generator, never seeded from the config
        lines.append(f"noise={noise!r}")
        metrics["noise"] = noise
    if cfg.mode == "secret":
        metrics["secret_visible"] = float("HM_VERIFY_SECRET" in os.environ)
    if cfg.mode == "tz":
        metrics["utc_offset_s"] = float(time.localtime().tm_gmtoff)
    if cfg.mode == "interrupt" and (project / "interrupt-now").exists():
        raise KeyboardInterrupt
    pathlib.Path("result.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return metrics
