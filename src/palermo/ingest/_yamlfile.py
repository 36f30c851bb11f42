"""Mapping files as YAML that remembers lines: every problem in a mapping names its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from palermo.errors import MappingError, Problem

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Node(dict[Any, Any]):
    """A YAML mapping with the 1-based line of itself (``line``) and of each of its keys."""

    line: int = 1
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(_Base):  # type: ignore[misc]
    """The safe loader, building :class:`Node` for mappings."""


def _mapping(loader: Any, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _mapping)


def parse_yaml(text: str, where: str) -> Any:
    """The YAML document in ``text``; malformed YAML raises :class:`MappingError` naming the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # a subclass of the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise MappingError(where, [Problem(line, "yaml", f"not valid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise MappingError(where, [Problem(None, "yaml", f"not valid YAML: {type(exc).__name__}")]) from None


def read_text(path: Path) -> str:
    """A mapping file's text; unreadable or non-UTF-8 files raise :class:`MappingError`."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MappingError(str(path), [Problem(None, "file", "is not UTF-8 text")]) from None
    except OSError as exc:
        rule = f"cannot be read ({exc.strerror or type(exc).__name__})"
        raise MappingError(str(path), [Problem(None, "file", rule)]) from None
