"""The foundations every stage stands on: canonical JSON and digests, atomic
writes, strict JSON and YAML readers, JSON Schemas, trees and pointers, file
locks, result types.
"""
