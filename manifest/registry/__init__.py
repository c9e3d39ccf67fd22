"""A model registry kept as plain files in git: the hash-chained history,
promotion and rollback.
"""
