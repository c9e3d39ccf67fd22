"""``manifest.callback.ManifestCallback``, the name configs in the wild give
as a Hydra callback ``_target_``; the callback lives in
:mod:`manifest.record.callback`."""

from .record.callback import ManifestCallback

__all__ = ["ManifestCallback"]
