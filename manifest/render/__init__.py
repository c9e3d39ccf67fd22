"""Reporters: every result kind as text, JSON, JUnit XML or Markdown. Reporters
return strings; they never print or decide exit codes.
"""
