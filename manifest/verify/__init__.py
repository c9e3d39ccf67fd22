"""Verifying manifests: re-run each one inside the trust boundary and check its
reproducibility envelope.

``manifest.verify(...)`` calls :func:`manifest.api.verify`: the package is
callable (see :mod:`manifest._callable`).
"""

from .._callable import make_callable

make_callable(__name__)
