"""Reading many manifests at once: what changed between two."""
