"""Draw a comparison: each group's runs and the intervals of the difference.

One row per metric: on the left every run of each group (jittered by a
fixed sequence, so the picture is the same each time) with the group means;
on the right the difference of means (candidate - baseline) with its Welch
and bootstrap confidence intervals against zero. Needs the optional
``matplotlib`` (``pip install hydra-manifest[plot]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .comparison import Comparison

INSTALL_HINT = "pip install 'hydra-manifest[plot]'"


def require_matplotlib() -> None:
    """Raise :class:`UsageError` (exit 2) when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            "--plot needs matplotlib, which is not installed",
            pointer="--plot",
            hint=f"install the plot extra: {INSTALL_HINT}",
        ) from None


def _jitter(n: int) -> list[float]:
    # a fixed low-discrepancy sequence in [-0.15, 0.15]: no randomness in the picture
    golden = 0.6180339887498949
    return [((i * golden) % 1.0 - 0.5) * 0.3 for i in range(n)]


def plot(comparison: Comparison, path: Path, *, inputs: Sequence[Path] = ()) -> None:
    """Write the figure of ``comparison`` to ``path`` (PNG, SVG or PDF by
    suffix), never over one of ``inputs`` or a file that is not an image
    (:class:`~manifest.errors.OutputError`)."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    metrics = comparison.metrics
    rows = max(len(metrics), 1)
    fig, axes = plt.subplots(
        rows, 2, figsize=(9, 2.6 * rows), squeeze=False, gridspec_kw={"width_ratios": [2, 1]}
    )
    level = f"{comparison.confidence * 100:g}%"
    for row, m in enumerate(metrics):
        runs_ax: Any = axes[row][0]
        diff_ax: Any = axes[row][1]
        for x, group in enumerate((comparison.baseline, comparison.candidate)):
            values = group.values(m.metric)
            jitter = _jitter(len(values))
            runs_ax.scatter(
                [x + j for j in jitter], values, s=14, alpha=0.7, color=("tab:gray", "tab:blue")[x]
            )
            mean = (m.baseline, m.candidate)[x].mean
            runs_ax.hlines(mean, x - 0.25, x + 0.25, color="black", linewidth=2)
        runs_ax.set_xticks([0, 1], ["baseline", "candidate"])
        better = f"{m.direction} is better" if m.direction else "direction not declared"
        runs_ax.set_title(f"{m.metric} ({better})", fontsize=10)
        primary = m.tests[m.primary]
        intervals = []
        if primary.interval and None not in primary.interval:
            intervals.append((f"{m.primary} {level}", primary.interval))
        if m.bootstrap is not None:
            intervals.append((f"bootstrap {level}", (m.bootstrap.low, m.bootstrap.high)))
        for y, (_, (low, high)) in enumerate(intervals):
            assert low is not None and high is not None
            diff_ax.errorbar(
                [m.difference],
                [y],
                xerr=[[m.difference - low], [high - m.difference]],
                fmt="o",
                capsize=4,
                color="tab:blue",
            )
        diff_ax.axvline(0.0, color="tab:red", linewidth=1, linestyle="--")
        diff_ax.set_yticks(range(len(intervals)), [label for label, _ in intervals])
        diff_ax.set_ylim(-0.8, max(len(intervals), 1) - 0.2)
        diff_ax.set_title("candidate - baseline", fontsize=10)
    fig.tight_layout()
    _save(fig, path, inputs)


def _save(fig: Any, path: Path, inputs: Sequence[Path]) -> None:
    """Render ``fig`` in memory, then write it atomically where it may go."""
    import io

    import matplotlib.pyplot as plt

    from ..core.outputs import image_file, write_output

    buffer = io.BytesIO()
    try:
        fig.savefig(
            buffer,
            format=path.suffix.lstrip(".").lower() or "png",
            dpi=100,
            metadata={"Software": None} if path.suffix == ".png" else None,
        )
    finally:
        plt.close(fig)
    write_output(path, buffer.getvalue(), kind="plot image", recognise=image_file, inputs=inputs)
