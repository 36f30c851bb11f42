"""What every command module shares: the workspace it opens and how it prints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

import palermo
from palermo.workspace import Workspace


@dataclass
class _State:
    store: Path | None = None


STATE = _State()
console = Console()
err_console = Console(stderr=True)


@contextmanager
def workspace() -> Iterator[Workspace]:
    """The workspace named by --store / PALERMO_STORE, else the settings' default."""
    ws = palermo.open(STATE.store)
    try:
        yield ws
    finally:
        ws.close()


def print_json(data: Any) -> None:
    """JSON on stdout, nothing else, so it can be piped."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
