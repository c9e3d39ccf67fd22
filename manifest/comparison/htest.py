"""What a hypothesis test returns (R calls it an ``htest``), and the rules the tests share."""

from __future__ import annotations

from dataclasses import dataclass

ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one group's values (``std`` is the sample SD)."""

    n: int
    mean: float
    std: float | None
    median: float
    min: float
    max: float


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test of candidate against baseline.

    ``estimate`` is the difference (candidate minus baseline: of means for
    t-tests), ``interval`` its confidence interval at ``confidence`` (for a
    one-sided alternative one end is infinite and given as ``None``).
    """

    test: str
    method: str
    statistic: float | None
    p_value: float | None
    alternative: str = "two-sided"
    df: float | None = None
    estimate: float | None = None
    interval: tuple[float | None, float | None] | None = None
    confidence: float | None = None
    note: str | None = None
    constant: bool = False  # undefined because the data are essentially constant


CONSTANT = "the data are essentially constant (no variance beyond rounding)"


def undefined(
    test: str,
    method: str,
    alternative: str,
    why: str,
    *,
    estimate: float | None = None,
    constant: bool = False,
) -> TestResult:
    """A test that the data do not allow: no statistic, no p-value, and why."""
    return TestResult(
        test,
        method,
        None,
        None,
        alternative,
        estimate=estimate,
        note=f"undefined: {why}",
        constant=constant,
    )


def check_alternative(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")
