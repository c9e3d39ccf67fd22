"""Promotion gates: a policy of rules, evaluated on a comparison, gives a
decision with its evidence.
"""
