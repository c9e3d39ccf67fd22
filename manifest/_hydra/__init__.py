"""The adapter to Hydra: every use of Hydra's API, and the only place that
touches its internals.
"""
