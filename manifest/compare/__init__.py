"""Comparing groups of runs: loading them, statistics, the comparison of each
metric, and its plot.

``manifest.compare(...)`` calls :func:`manifest.api.compare`: the package is
callable (see :mod:`manifest._callable`).
"""

from .._callable import make_callable

make_callable(__name__)
