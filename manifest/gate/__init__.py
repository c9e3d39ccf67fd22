"""Promotion gates: a policy of rules, evaluated on a comparison, gives a
decision with its evidence.

``manifest.gate(...)`` calls :func:`manifest.api.gate`: the package is
callable (see :mod:`manifest._callable`).
"""

from .._callable import make_callable

make_callable(__name__)
