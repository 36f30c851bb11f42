"""The ``palermo`` command line: thin, one module per capability; each calls Workspace methods."""

from palermo.cli._app import app, main

__all__ = ["app", "main"]
