"""The command line: the parser (:mod:`.main`) and one module per command
under :mod:`.commands` (parse, call the stage, render, return the exit code)."""

from .main import main

__all__ = ["main"]
