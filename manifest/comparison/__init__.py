"""Comparing groups of runs: loading them, statistics, the comparison of each
metric, and its plot.

The public entry point is :func:`manifest.compare`.
"""
