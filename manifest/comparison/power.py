"""How many seeds would resolve a difference: R's ``power.t.test``.

``seeds_needed(delta, sd)`` is the n per side at which a two-sided t-test at
level ``alpha`` detects a true difference ``delta`` with probability
``power`` when runs spread with standard deviation ``sd`` (for paired runs,
``sd`` of the differences and n pairs): the root in n of
``1 - pt(qt(1 - alpha/2, df), df, ncp)``, with df = 2(n - 1) and
ncp = sqrt(n/2) delta/sd (paired: df = n - 1, ncp = sqrt(n) delta/sd), as R
solves it (``strict = FALSE``). One-sided tests (the gate's) use alpha once.
"""

from __future__ import annotations

import math

from . import distributions as dist

POWER = 0.8


def power(n: float, delta: float, sd: float, *, paired: bool, alpha: float, sides: int) -> float:
    """The power of the t-test with ``n`` runs per side (R: ``power.t.test(n, ...)$power``)."""
    df = n - 1 if paired else 2 * (n - 1)
    ncp = (math.sqrt(n) if paired else math.sqrt(n / 2)) * abs(delta) / sd
    critical = dist.t_ppf(1 - alpha / sides, df)
    return 1 - dist.nct_cdf(critical, df, ncp)


def seeds_needed(
    delta: float,
    sd: float,
    *,
    paired: bool = False,
    alpha: float = 0.05,
    target: float = POWER,
    sides: int = 2,
) -> float | None:
    """n per side (R's fractional n; round up) for ``power`` = ``target``;
    None when there is nothing to resolve (no difference, or no spread)."""
    if not delta or not sd or not math.isfinite(delta / sd):
        return None
    low, high = 2.0, 1e7
    if power(high, delta, sd, paired=paired, alpha=alpha, sides=sides) < target:
        return None
    if power(low, delta, sd, paired=paired, alpha=alpha, sides=sides) >= target:
        return low
    return dist.bisect(
        lambda n: power(n, delta, sd, paired=paired, alpha=alpha, sides=sides) - target,
        low,
        high,
    )


def hint(
    delta: float, sd: float, *, paired: bool, alpha: float, sides: int = 2, have: int = 0
) -> str | None:
    """``about 23 seeds per side to resolve a difference of 0.0044 at this
    spread (sd 0.0017; 80% power, two-sided 5%)``; None when there is nothing
    to resolve or ``have`` runs per side are already enough."""
    n = seeds_needed(delta, sd, paired=paired, alpha=alpha, sides=sides)
    if n is None or math.ceil(n) <= have:
        return None
    what = "pairs of seeds" if paired else "seeds per side"
    test = "two-sided" if sides == 2 else "one-sided"
    return (
        f"about {math.ceil(n)} {what} to resolve a difference of {abs(delta):.3g} at this "
        f"spread (sd {sd:.3g}; {POWER:.0%} power, {test} {alpha * 100:g}%)"
    )
