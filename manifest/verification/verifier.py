"""Verify manifests: re-run each claim and check its reproducibility envelope.

For each manifest: check that it is intact, pass it through the trust
boundary (:mod:`manifest.verification.trust`: the repository's config, task, envelope and
parameters), re-run it in a fresh folder through Hydra's launcher
(:mod:`manifest.verification.rerun`), compare (:mod:`manifest.verification.envelope`; fresh seeds in
:mod:`manifest.verification.stochastic`), name likely sources of a failure from a control
re-run (:mod:`manifest.verification.diagnose`) and, on request, re-run under varied
conditions (:mod:`manifest.verification.perturb`). The result is a
:class:`~manifest.core.results.Report`; nothing is printed here.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from ..core.results import FAIL, Report
from ..errors import ManifestError
from .case import Case, evaluate, prepare
from .options import Progress, VerifyOptions
from .rerun import Job, LaunchSettings, Rerun, fresh_workers, launch

__all__ = ["Progress", "VerifyOptions", "verify"]


def _run_all(
    pending: list[tuple[Case, Job]],
    settings: LaunchSettings,
    notify: Callable[[Progress], None],
    finished: Callable[[Case], None],
    batches: Iterator[int],
) -> None:
    """Run ``pending`` in batches of ``settings.batch_size``; call
    ``finished`` for each case whose re-runs are all done."""
    size = settings.batch_size
    total = len(pending)
    for start in range(0, total, size):
        chunk = pending[start : start + size]
        try:
            results = launch([job for _, job in chunk], settings, batch=next(batches))
        except ManifestError as exc:
            results = [Rerun(job, "config-error", error=exc.describe()) for _, job in chunk]
        for offset, ((case, job), rerun) in enumerate(zip(chunk, results, strict=True)):
            case.reruns[job.key] = rerun
            notify(
                Progress(
                    "rerun",
                    case.subject,
                    f"{job.key.split(':', 1)[1]}: {rerun.status}",
                    start + offset + 1,
                    total,
                )
            )
        for case in dict.fromkeys(c for c, _ in chunk):
            if all(j.key in case.reruns for j in case.jobs) and not case.evaluated:
                finished(case)


def _work_dir(options: VerifyOptions) -> tuple[Path, bool]:
    """A fresh folder for the re-runs (below ``--work-dir``, kept; or a
    temporary one, removed). Raises :class:`OutputError` naming the folder."""
    from ..core.atomic import make_folder, output_error

    parent = options.work_dir
    try:
        if parent is not None:
            make_folder(parent)
            folder = Path(tempfile.mkdtemp(prefix="verify-", dir=parent)).resolve()
        else:
            folder = Path(tempfile.mkdtemp(prefix="manifest-verify-")).resolve()
        _can_hold_files(folder)
        return folder, parent is None
    except OSError as exc:
        where = parent if parent is not None else Path(tempfile.gettempdir())
        raise output_error(exc, where, what="the work folder of the re-runs") from None


def _can_hold_files(folder: Path) -> None:
    """Write a page into ``folder`` before any re-run: a full disk (where a
    folder can still be made) fails here, not inside a re-run; the folder is
    then removed."""
    probe = folder / ".probe"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()
    except OSError:
        probe.unlink(missing_ok=True)
        folder.rmdir()
        raise


def _prepare_all(
    files: Sequence[Path],
    options: VerifyOptions,
    cases: list[Case],
    notify: Callable[[Progress], None],
) -> None:
    """Admit or refuse each manifest, appending its case to ``cases`` (so an
    interruption keeps what was prepared)."""
    for index, path in enumerate(files):
        case = prepare(
            path,
            index,
            config_dir=options.config_dir,
            trust=options.trust,
            seeds=options.seeds,
            timeout=options.timeout,
        )
        cases.append(case)
        detail = case.verdict or f"{len(case.jobs)} re-run(s)"
        notify(Progress("refused" if case.verdict else "admitted", case.subject, detail))


def verify(
    paths: Sequence[Path],
    options: VerifyOptions | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
) -> Report:
    """Verify the manifests at ``paths`` (files or folders of them).

    Never raises for a manifest that fails or cannot be re-run: that is in
    the report. Ctrl-C stops cleanly: the report then holds what was done
    (``extra["verdict"] == "interrupted"``). Raises :class:`InputError` for
    a path that does not exist.
    """
    from ..core.discover import discover
    from .sandbox import sandboxed_environ

    options = options if options is not None else VerifyOptions()
    notify = progress or (lambda event: None)
    files = discover(list(paths))
    cases: list[Case] = []
    interrupted = False
    work, temporary = _work_dir(options)
    settings = LaunchSettings(options.config_dir, work, options.jobs, options.hydra_overrides)
    started = time.perf_counter()
    try:
        _prepare_all(files, options, cases, notify)
        with sandboxed_environ(
            pass_env=options.pass_env, allow_network=options.allow_network
        ) as env:
            if options.jobs > 1:
                fresh_workers()
            _phases(cases, options, settings, env, notify)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if options.jobs > 1:
            fresh_workers()
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    cases += [Case(str(path)) for path in files[len(cases) :]]
    for case in cases:
        if case.verdict is None and not case.evaluated:
            case.add("interrupted", FAIL, "not verified: interrupted before its re-runs finished")
            case.verdict = "interrupted"
        notify(Progress("verdict", case.subject, case.final_verdict()))
    from .report import build_report

    return build_report(
        cases, options, interrupted=interrupted, seconds=time.perf_counter() - started
    )


def _phases(
    cases: list[Case],
    options: VerifyOptions,
    settings: LaunchSettings,
    env: dict[str, str],
    notify: Callable[[Progress], None],
) -> None:
    from .diagnose import controls_needed, diagnose

    batches = itertools.count(1)
    needs_control: list[Case] = []

    def finished(case: Case) -> None:
        evaluate(case)
        primary = case.primary()
        if (
            options.diagnose
            and primary is not None
            and controls_needed(case.manifest or {}, primary, case.envelope)
        ):
            needs_control.append(case)

    pending = [(case, job) for case in cases if case.verdict is None for job in case.jobs]
    _run_all(pending, settings, notify, finished, batches)
    controls = [(c, replace(c.jobs[0], key=c.jobs[0].key + ":control")) for c in needs_control]
    _run_all(controls, settings, notify, lambda case: None, batches)
    for case, job in controls:
        primary = case.primary()
        if primary is not None:
            case.checks += diagnose(
                case.subject, case.manifest or {}, case.envelope, primary, case.reruns.get(job.key)
            )
    if options.perturb:
        from .perturb import perturb_cases

        perturb_cases(cases, options, settings, env, notify)
