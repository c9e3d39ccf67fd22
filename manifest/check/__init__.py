"""Checking manifests: strict parsing, the schema, the digest, and declarative contracts."""
