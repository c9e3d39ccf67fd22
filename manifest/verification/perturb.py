"""``verify --perturb``: re-runs under varied conditions, in the spirit of reprotest.

Each variation changes one condition of the reference re-run and runs the
same job again, as a fresh ``python -m manifest run`` process (hash seed,
thread counts, locale and time zone are read when a process starts): the
hash seed (``PYTHONHASHSEED``), the thread count of the numerical libraries,
the working directory path, the locale (``LC_ALL``) and the time zone
(``TZ``). A result that does not depend on them comes out the same; one that
does is named, with the artifacts and metrics that changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.results import FAIL, PASS, Check
from ..errors import ManifestError
from .diagnose import THREAD_VARIABLES, failing
from .options import Progress, VerifyOptions
from .rerun import Job, LaunchSettings, Rerun, quoted, run_dir_of

if TYPE_CHECKING:
    from .case import Case

_LOCALES = ("de_DE.UTF-8", "fr_FR.UTF-8", "tr_TR.UTF-8", "C.UTF-8", "C")
_ZONEINFO = Path("/usr/share/zoneinfo")


@dataclass(frozen=True)
class Variation:
    """One condition changed: its name, what was set, and the environment."""

    name: str
    description: str
    env: dict[str, str] = field(default_factory=dict)
    folder: str = "run"


def _installed_locales() -> set[str]:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"c", "posix"}
    return {line.strip().lower().replace("utf8", "utf-8") for line in out.stdout.splitlines()}


def variations(variables: Mapping[str, str], cpu_count: int | None) -> list[Variation]:
    """The five variations, each different from the reference's ``variables``."""
    seed = "1" if variables.get("PYTHONHASHSEED") != "1" else "2"
    threads = str(cpu_count or 2) if variables.get("OMP_NUM_THREADS") == "1" else "1"
    current = (variables.get("LC_ALL") or variables.get("LANG") or "").lower()
    installed = _installed_locales()
    locale = next(
        (name for name in _LOCALES if name.lower() in installed and name.lower() != current), "C"
    )
    zone = (
        "Pacific/Kiritimati" if variables.get("TZ") != "Pacific/Kiritimati" else "America/St_Johns"
    )
    if not (_ZONEINFO / zone).exists():
        zone = "<+14>-14"  # POSIX form of UTC+14, needs no time zone database
    return [
        Variation("hash-seed", f"PYTHONHASHSEED={seed}", {"PYTHONHASHSEED": seed}),
        Variation(
            "threads",
            f"{threads} thread(s) (OMP_NUM_THREADS etc.)",
            dict.fromkeys(THREAD_VARIABLES, threads),
        ),
        Variation(
            "workdir",
            "a deeper run directory path with spaces and non-ASCII letters",
            folder="wörk dir ü/deeper/nested/run",
        ),
        Variation("locale", f"LC_ALL={locale}", {"LC_ALL": locale, "LANG": locale}),
        Variation("timezone", f"TZ={zone}", {"TZ": zone}),
    ]


def run_variation(
    job: Job, variation: Variation, *, config_dir: Path, root: Path, base_env: Mapping[str, str]
) -> Rerun:
    """Run ``job`` once under ``variation`` in a subprocess; never raises for
    a failed run (its status says so)."""
    from ..core.reading import read_json

    run_dir, store = root / variation.folder, root / "store"
    configs = (
        ["--app", job.app.entrypoint]
        if job.app is not None
        else ["--config-dir", str(config_dir.resolve())]
    )
    command = [
        *(sys.executable, "-m", "manifest", "run", *configs, "--store", str(store)),
        *("--config-name", job.config_name, *job.overrides),
        f"hydra.run.dir={quoted(str(run_dir))}",
    ]
    env = {**base_env, **variation.env}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = sorted(store.glob("*.json"))
    if not found:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Rerun(job, "not-recorded", error=f"exit {done.returncode}: {tail}")
    try:
        manifest = read_json(found[0])
    except ManifestError as exc:
        return Rerun(job, "not-recorded", error=exc.describe())
    if not isinstance(manifest, dict):
        return Rerun(job, "not-recorded", error="not a JSON object")
    status = str(manifest.get("status"))
    error = manifest.get("error")
    message = f"{error.get('type')}: {error.get('message')}" if isinstance(error, dict) else None
    return Rerun(job, status, manifest, run_dir_of(manifest, Path.cwd()), message)


def base_environment(minimal: Mapping[str, str], reference: Mapping[str, Any]) -> dict[str, str]:
    """The minimal environment with the reference re-run's recorded variables
    (threads, hash seed, locale...): each variation then changes one thing."""
    recorded = ((reference.get("environment") or {}).get("variables")) or {}
    return {**minimal, **{str(k): str(v) for k, v in recorded.items()}}


def perturbation_check(
    subject: str,
    variation: Variation,
    reference: Mapping[str, Any],
    rerun: Rerun,
    envelope: Mapping[str, Any],
) -> Check:
    """``perturb`` row: does ``rerun`` give what the reference re-run gave?"""
    label = f"perturb:{variation.name}"
    if not rerun.completed or rerun.manifest is None:
        return Check(
            subject,
            label,
            FAIL,
            f"{variation.description}: the re-run did not complete ({rerun.status}: {rerun.error})",
            "/status",
            expected="completed",
            found=rerun.status,
        )
    paths, names = failing(reference, rerun.manifest, envelope)
    changed: Sequence[str] = [*paths, *names]
    if not changed:
        return Check(
            subject,
            label,
            PASS,
            f"{variation.description}: same artifacts and metrics as the reference re-run",
        )
    return Check(
        subject,
        label,
        FAIL,
        f"depends on {variation.name}: {variation.description} changes {', '.join(changed)}",
        "/artifacts" if paths else "/metrics",
        expected="the reference re-run's result",
        found="different",
    )


def perturb_cases(
    cases: Sequence[Case],
    options: VerifyOptions,
    settings: LaunchSettings,
    env: Mapping[str, str],
    notify: Callable[[Progress], None],
) -> None:
    """Run every variation of every case whose same-seed re-run completed
    (``options.jobs`` at a time) and add a ``perturb:<name>`` check each."""
    from concurrent.futures import ThreadPoolExecutor

    tasks: list[tuple[Case, Variation, Mapping[str, Any], Future[Rerun]]] = []
    pool = ThreadPoolExecutor(max_workers=max(options.jobs, 1))
    try:
        for index, case in enumerate(cases):
            primary = case.primary()
            if not case.evaluated or primary is None or not primary.completed:
                continue
            reference = primary.manifest or {}
            base = base_environment(env, reference)
            recorded = (reference.get("environment") or {}).get("variables") or {}
            for variation in variations(recorded, os.cpu_count()):
                root = settings.work_dir / "perturb" / f"{index}-{variation.name}"
                root.mkdir(parents=True, exist_ok=True)
                future = pool.submit(
                    run_variation,
                    case.jobs[0],
                    variation,
                    config_dir=settings.config_dir,
                    root=root,
                    base_env=base,
                )
                tasks.append((case, variation, reference, future))
        for done, (case, variation, baseline, future) in enumerate(tasks, 1):
            rerun = future.result()
            case.checks.append(
                perturbation_check(case.subject, variation, baseline, rerun, case.envelope)
            )
            notify(
                Progress(
                    "rerun",
                    case.subject,
                    f"perturb {variation.name}: {rerun.status}",
                    done,
                    len(tasks),
                )
            )
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
