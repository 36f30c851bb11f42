"""Read a YAML file and keep the line of every mapping and key, so problems can name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from palermo.errors import CatalogueFileError, Problem

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Located(dict[Any, Any]):
    """A YAML mapping with ``line`` (1-based) for itself and ``lines`` for each of its keys."""

    line: int = 0
    lines: dict[Any, int]

    def at(self, key: Any) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.lines.get(key, self.line)


class _Loader(_Base):  # type: ignore[misc]
    pass


def _mapping(loader: Any, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    out = Located()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            key = str(key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


def read_located(path: Path) -> Any:
    """The YAML document in ``path``; unreadable or malformed files raise CatalogueFileError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueFileError(str(path), [Problem(None, "file", "does not exist")]) from None
    except IsADirectoryError:
        raise CatalogueFileError(str(path), [Problem(None, "file", "is a folder, not a file")]) from None
    except OSError as exc:
        raise CatalogueFileError(
            str(path), [Problem(None, "file", f"cannot be read ({exc.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise CatalogueFileError(str(path), [Problem(None, "file", "is not UTF-8 text")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # a subclass of the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CatalogueFileError(
            str(path), [Problem(line, "yaml", f"not valid YAML: {exc.problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise CatalogueFileError(str(path), [Problem(None, "yaml", f"not valid YAML: {exc}")]) from None
