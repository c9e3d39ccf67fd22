"""The lineage graph: runs joined by content hashes and declared parents."""
