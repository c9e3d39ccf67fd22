"""Recording runs: the manifest: settings, the job's context, captured facts,
the manifest builder, manifest run and the Hydra callback.
"""
