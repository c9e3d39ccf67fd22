"""The environment re-runs get: no secrets, no network (best effort).

A re-run sees only an allow-list of environment variables: what locates
programs, the interpreter and caches, the locale and time zone, and the
variables a manifest records because they change numerical results (threads,
hash seed, CUDA). Anything else (tokens, cloud credentials, CI secrets) is
withheld unless named with ``--pass-env``. Unless the network is allowed, the
proxy variables point to a closed local port and the usual offline switches
are set: HTTP clients that honour them (urllib, requests, pip, Hugging Face
libraries) cannot reach the network. This is not a sandbox: a task that opens
sockets itself is not stopped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from ..record.capture.environment import RECORDED_VARIABLES

KEPT = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "XDG_CACHE_HOME",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "SYSTEMROOT",
    "TERM",
    "NO_COLOR",
)
_CLOSED = "http://127.0.0.1:9"  # the discard port: connections are refused
OFFLINE = {
    **{name: _CLOSED for name in ("http_proxy", "https_proxy", "all_proxy")},
    **{name: _CLOSED for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
}


def minimal_env(
    source: Mapping[str, str], *, pass_env: Iterable[str] = (), allow_network: bool = False
) -> dict[str, str]:
    """The variables of ``source`` that a re-run may see."""
    keep = {*KEPT, *RECORDED_VARIABLES, *pass_env}
    env = {k: v for k, v in source.items() if k in keep or k.startswith("LC_")}
    if not allow_network:
        env.update(OFFLINE)
    return env


def withheld(source: Mapping[str, str], env: Mapping[str, str]) -> list[str]:
    """Names of the variables of ``source`` that ``env`` does not pass on."""
    return sorted(k for k in source if k not in env)


@contextmanager
def sandboxed_environ(
    *, pass_env: Iterable[str] = (), allow_network: bool = False
) -> Iterator[dict[str, str]]:
    """Within the block, ``os.environ`` is the minimal environment.

    In-process re-runs and the worker processes a launcher starts inside the
    block inherit it; the full environment is restored on exit.
    """
    saved = dict(os.environ)
    env = minimal_env(saved, pass_env=pass_env, allow_network=allow_network)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield env
    finally:
        os.environ.clear()
        os.environ.update(saved)
