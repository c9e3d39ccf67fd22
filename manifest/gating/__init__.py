"""Promotion gates: a policy of rules, evaluated on a comparison, gives a
decision with its evidence.

The public entry point is :func:`manifest.gate`.
"""
