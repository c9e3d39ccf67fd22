"""Verifying manifests: re-run each one inside the trust boundary and check its
reproducibility envelope.

The public entry point is :func:`manifest.verify`.
"""
