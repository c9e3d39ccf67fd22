"""Comparing groups of runs: loading them, statistics, the comparison of each
metric, and its plot.
"""
