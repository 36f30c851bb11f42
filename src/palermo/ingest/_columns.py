"""Match a mapping's columns to a file's header, and refuse a file that cannot be meant.

Each refusal is one clear :class:`~palermo.errors.IngestError`, raised before anything is written:
a required column missing, none of the mapping's columns present (often the wrong delimiter), a
column the mapping reads written twice in the header, or columns the mapping does not name
(unless ``reader.unknown_columns: ignore``). Column names are printed; values never are.
"""

from __future__ import annotations

from palermo.errors import IngestError
from palermo.ingest._batch import Source
from palermo.ingest._codes import norm
from palermo.ingest._csvreader import CsvSource, sniff_delimiter
from palermo.ingest._spec import Mapping


def _find(header: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in header:
            return name
    wanted = {norm(n) for n in names}
    for column in header:
        if norm(column) in wanted:
            return column
    return None


def resolve_columns(mapping: Mapping, source: Source) -> dict[str, str | None]:
    """Mapping column -> header name (None when the file lacks an optional column)."""
    where = source.path.name
    header = source.header
    found: dict[str, str | None] = {}
    for column in mapping.columns:
        name = _find(header, (column, *mapping.aliases_of(column)))
        if name is not None and name in source_duplicates(source):
            positions = ", ".join(str(p) for p in source_duplicates(source)[name])
            raise IngestError(
                f"{where}: column '{name}' appears more than once in the header (positions {positions}); "
                "which one the mapping means is ambiguous"
            )
        found[column] = name
    if not any(found.values()):
        raise IngestError(
            f"{where}: none of mapping '{mapping.name}''s columns is in the header{_hint(source)}"
        )
    required = [s.column for s in mapping.specs if s.required]
    if mapping.record_id is not None:
        required.append(mapping.record_id)
    absent = sorted({c for c in required if found.get(c) is None})
    if absent:
        raise IngestError(
            f"{where}: required column(s) missing from the header: {', '.join(absent)}{_hint(source)}"
        )
    if mapping.reader.unknown_columns == "error":
        used = {name for name in found.values() if name is not None}
        ignored = {norm(c) for c in mapping.ignored}
        extra = [h for h in header if h not in used and norm(h) not in ignored]
        if extra:
            shown = ", ".join(extra[:8]) + (f" (and {len(extra) - 8} more)" if len(extra) > 8 else "")
            raise IngestError(
                f"{where}: columns the mapping does not name: {shown} (map them, list them as ignore, "
                "or set reader.unknown_columns: ignore)"
            )
    return found


def source_duplicates(source: Source) -> dict[str, list[int]]:
    duplicates: dict[str, list[int]] = getattr(source, "duplicates", {})
    return duplicates


def _hint(source: Source) -> str:
    if not isinstance(source, CsvSource):
        return ""
    line = source.delimiter.join(source.header)
    other = sniff_delimiter(line) if len(source.header) <= 1 else source.delimiter
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}
    if len(source.header) <= 1 and other != source.delimiter:
        return f" (the header read as one column with delimiter {shown.get(source.delimiter, repr(source.delimiter))}; the file looks {shown.get(other, repr(other))}-delimited: check reader.delimiter)"
    return f" ({len(source.header)} columns read with delimiter {shown.get(source.delimiter, repr(source.delimiter))})"
