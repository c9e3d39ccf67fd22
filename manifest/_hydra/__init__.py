"""The adapter to Hydra: composing configs, running jobs, launching re-runs.

:mod:`.internal` is the one module that touches Hydra's private API (each
use is guarded by a test that names it when a Hydra release removes it);
:mod:`.session` keeps every call free of process-wide side effects;
:mod:`.compose` composes with Hydra's public API; :mod:`.launch` runs and
launches jobs.
"""
