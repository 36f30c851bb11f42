"""Read YAML and remember the line of every mapping and key, so errors can name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from palermo.errors import Problem, VocabularyFileError

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict[Any, Any]):
    """A mapping read from YAML, with ``line`` (1-based) for itself and ``lines`` for each key."""

    line: int
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _Loader(_BaseLoader):  # type: ignore[misc]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path) -> Any:
    """The document in ``path``; a malformed file raises VocabularyFileError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VocabularyFileError(
            str(path), [Problem(None, "file", f"cannot be read ({exc.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise VocabularyFileError(str(path), [Problem(None, "file", "is not UTF-8 text")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # a subclass of the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise VocabularyFileError(
            str(path), [Problem(line, "yaml", f"not valid YAML: {exc.problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise VocabularyFileError(str(path), [Problem(None, "yaml", f"not valid YAML: {exc}")]) from None
