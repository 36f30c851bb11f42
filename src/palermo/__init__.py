"""Palermo: identify, harmonise, link, estimate and publish safely, against trafficking and smuggling.

Public names only; everything else lives in a capability package::

    import palermo
    with palermo.open() as ws:          # ./.palermo/palermo.duckdb, or $PALERMO_HOME/palermo.duckdb
        ws.scenario.generate(persons=1000, seed=7, out="world")
"""

from palermo import errors
from palermo._version import __version__
from palermo.errors import PalermoError
from palermo.workspace import Workspace, open

__all__ = ["PalermoError", "Workspace", "__version__", "errors", "open"]
