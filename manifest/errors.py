"""The error hierarchy and the exit-code map.

Every user-facing failure is a :class:`ManifestError`. Its message names the
file, the JSON pointer of the field, what was expected and what was found, so
the CLI can print it on one line and exit with the code of its kind.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it


class ManifestError(Exception):
    """Base of every error a user can cause; carries its exit code."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        pointer: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.pointer = pointer
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: ``file: pointer: message (expected X, found Y); hint``."""
        where = ": ".join(p for p in (self.file, self.pointer) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected is not None or self.found is not None:
            text += f" (expected {self.expected}, found {self.found})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: an interruption, recorded and reported like Ctrl-C."""


class UsageError(ManifestError):
    """Bad command-line arguments or settings."""


class ConfigError(ManifestError, ValueError):
    """A Hydra config or a `manifest:` settings node that cannot be used."""


class InputError(ManifestError, OSError):
    """A path that does not exist or cannot be read."""


class OutputError(ManifestError, OSError):
    """A file or folder that cannot be written: a full or read-only disk, no
    permission, or an output that would replace what it must not."""


class ManifestFormatError(ManifestError, ValueError):
    """A manifest file that is not valid JSON, too large, too deep, or not UTF-8.

    Input a command cannot use (exit 2); ``validate`` reports it as a failed
    check (exit 1) itself."""

    exit_code = EXIT_USAGE


class SchemaError(ManifestError, ValueError):
    """A document that does not satisfy its JSON Schema: input a command
    cannot use (exit 2); ``validate`` reports it as a failed check itself."""

    exit_code = EXIT_USAGE


class RecordError(ManifestError):
    """A manifest that could not be built or written."""

    exit_code = EXIT_FAILED


class TaskError(ManifestError, ImportError):
    """A task entrypoint that cannot be resolved to a callable."""


class DigestError(ManifestError, ValueError):
    """A manifest whose digest is not that of its content: it was edited."""

    exit_code = EXIT_FAILED
