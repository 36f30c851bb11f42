"""Read one ``columns:`` entry of a mapping into field specs, checking every key against its target."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from palermo.ingest._codes import CodeBook, norm
from palermo.ingest._spec import TYPES, FieldSpec, FlagConvention
from palermo.ingest._targets import AGGREGATES, Target, parse_target
from palermo.vocab import builtin_scheme

_KEYS = {
    "to", "type", "required", "aliases", "missing", "values", "normalise", "lang", "separator", "category",
    "code", "flag", "formats", "year_offset", "range", "thousands", "suppressed", "order", "on_unknown",
    "when", "note",
}  # fmt: skip
_EXPLOITATION_LISTS = ("exploitation_type", "labour_sector", "sex_exploitation_type")
_AGGREGATE_CODED = ("indicator", "category_concept", "sex", "age_group")
AGGREGATE_TOKENS = ("total", "unknown")
"""Values of aggregate breakdowns that are not concepts: the total over the breakdown, and unknown."""

Add = Callable[[int | None, str, str], None]


def infer_type(target: Target, node: Mapping[str, Any]) -> str:
    """The type a spec has when its ``type`` key is left out."""
    col = target.column
    if target.special == "full_name":
        return "name"
    if target.special == "organisation" or (col is None and not target.is_rows):
        return "text"
    if target.is_rows:
        return "flag" if "code" in node else "code"
    assert col is not None
    if target.table == AGGREGATES:
        if col.name == "value":
            return "count"
        if col.name == "category_country":
            return "country"
        return "code" if col.name in _AGGREGATE_CODED else ("integer" if col.dtype == "int" else "text")
    if col.is_list and "code" in node:
        return "flag"
    by_dtype = {"date": "date", "int": "integer", "float": "number", "bool": "boolean"}
    if col.dtype in by_dtype:
        return by_dtype[col.dtype]
    if col.coded == "country":
        return "country"
    if col.coded in ("age_band", "perpetrator_age_band"):
        return "age_band"
    return "code" if col.coded is not None else "text"


def _compatible(kind: str, target: Target) -> str | None:
    """Why ``kind`` cannot write ``target`` (None when it can)."""
    col = target.column
    if kind == "name":
        return None if target.special == "full_name" else "type name writes person_identities.full_name"
    if target.special == "full_name":
        return "person_identities.full_name takes type name"
    if target.special == "organisation":
        return None if kind == "text" else "an organisation is named by text"
    if target.is_rows:
        return None if kind in ("code", "flag") else "a row table takes type code or flag"
    assert col is not None
    if target.table == AGGREGATES:
        wanted = infer_type(target, {})
        return (
            None
            if kind == wanted or (wanted == "text" and kind == "code")
            else f"this column takes type {wanted}"
        )
    rules = {
        "date": col.dtype == "date",
        "integer": col.dtype == "int",
        "number": col.dtype == "float",
        "boolean": col.dtype == "bool",
        "flag": col.dtype == "bool" or (col.is_list and col.coded is not None),
        "country": col.coded == "country",
        "age_band": col.coded in ("age_band", "perpetrator_age_band"),
        "code": col.coded is not None and col.coded != "country",
        "text": col.dtype == "text" and col.coded is None,
        "count": False,
    }
    return None if rules[kind] else f"type {kind} cannot write this {col.dtype} column"


class SpecReader:
    """Collects the field specs of a mapping's ``columns:`` block."""

    def __init__(
        self,
        target_kind: str,
        book: CodeBook,
        add: Add,
        missing: frozenset[str],
        document: str | None,
        language: str | None,
        conventions: Mapping[str, FlagConvention],
    ) -> None:
        self.target_kind = target_kind
        self.book = book
        self.add = add
        self.missing = missing
        self.document = document
        self.language = language
        self.conventions = conventions
        self.specs: list[FieldSpec] = []

    def read_column(self, column: str, node: Any, line: int) -> None:
        nodes = node if isinstance(node, list) else [node]
        for item in nodes:
            if not isinstance(item, dict):
                self.add(line, f"columns.{column}", "a spec (to, type …), a list of specs, or ignore")
                continue
            spec = self._spec(column, item, getattr(item, "line", line))
            if spec is not None:
                self.specs.append(spec)

    def _spec(self, column: str, node: Mapping[str, Any], line: int) -> FieldSpec | None:
        where = f"columns.{column}"
        ok = True
        for key in node:
            if key not in _KEYS:
                self.add(line, where, f"unknown key '{key}' (allowed: {', '.join(sorted(_KEYS))})")
                ok = False
        parsed = parse_target(str(node.get("to", "")), self.target_kind)
        if isinstance(parsed, str):
            self.add(line, f"{where}.to", parsed)
            return None
        kind = node.get("type") or infer_type(parsed, node)
        if kind not in TYPES:
            self.add(line, f"{where}.type", f"one of {', '.join(TYPES)}")
            return None
        why = _compatible(kind, parsed)
        if why is not None:
            self.add(line, f"{where}.type", why)
            return None
        category = node.get("category")
        if parsed.table == "case_exploitation" and category not in _EXPLOITATION_LISTS:
            self.add(
                line, f"{where}.category", f"required for case_exploitation: {', '.join(_EXPLOITATION_LISTS)}"
            )
            return None
        code_list = parsed.code_list(category)
        code = node.get("code")
        if kind == "flag" and parsed.column is not None and parsed.column.dtype == "bool":
            code = None
        elif kind == "flag" and (code is None or code_list is None or code not in self.book.codes(code_list)):
            self.add(line, f"{where}.code", f"a flag needs the code it stands for, from list '{code_list}'")
            ok = False
        separator = node.get("separator")
        if separator is not None and not (
            parsed.is_rows or (parsed.column is not None and parsed.column.is_list)
        ):
            self.add(line, f"{where}.separator", "only for a list column or a row table")
            ok = False
        flag = self._flag(node.get("flag", "yes_no"), line, where) if kind in ("flag", "boolean") else None
        values = self._values(node.get("values"), kind, parsed, code_list, line, where)
        bounds = self._bounds(node.get("range"), parsed, line, where)
        if not ok or values is None:
            return None
        return FieldSpec(
            column=column,
            target=parsed,
            type=kind,
            line=line,
            aliases=tuple(str(a) for a in node.get("aliases") or ()),
            required=bool(node.get("required", False)),
            missing=self._missing(node, line, where),
            values=values,
            normalise=bool(node.get("normalise", False)),
            lang=node.get("lang") or self.language,
            separator=None if separator is None else str(separator),
            category=category,
            code=None if code is None else str(code),
            flag=flag,
            formats=self._formats(node.get("formats"), kind, line, where),
            year_offset=int(node.get("year_offset", 0) or 0),
            bounds=bounds,
            thousands=node.get("thousands"),
            suppressed={norm(str(k)): int(v) for k, v in (node.get("suppressed") or {}).items()},
            order=str(node.get("order", "given_first")),
            on_unknown=self._choice(node, "on_unknown", ("quarantine", "empty"), line, where),
            when=self._when(node.get("when"), line, where),
            joined=self._joined(node.get("values") or {}, separator, code_list),
        )

    # -- pieces ---------------------------------------------------------------------------------
    def _joined(self, values: Mapping[str, Any], separator: Any, code_list: str | None) -> tuple[str, ...]:
        """Values, labels and aliases that hold the separator themselves ("Water supply; sewerage …")."""
        if separator is None:
            return ()
        texts = [str(k) for k in values]
        if code_list is not None and self.book.has_list(code_list):
            for code in self.book.categories[code_list].codes:
                texts.extend([code.label, *code.aliases])
        return tuple(sorted({t for t in texts if str(separator) in t}, key=len, reverse=True))

    def _missing(self, node: Mapping[str, Any], line: int, where: str) -> frozenset[str] | None:
        raw = node.get("missing")
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.add(line, f"{where}.missing", "a list of values")
            return None
        return frozenset(norm(str(v)) for v in raw)

    def _flag(self, raw: Any, line: int, where: str) -> FlagConvention | None:
        if isinstance(raw, str) and raw in self.conventions:
            return self.conventions[raw]
        if isinstance(raw, dict) and isinstance(raw.get("present"), list):
            present = frozenset(norm(str(v)) for v in raw["present"])
            absent = frozenset(norm(str(v)) for v in raw.get("absent") or ())
            return FlagConvention("custom", present, absent)
        self.add(
            line,
            f"{where}.flag",
            f"one of {', '.join(self.conventions)}, or {{present: [...], absent: [...]}}",
        )
        return None

    def _values(
        self, raw: Any, kind: str, target: Target, code_list: str | None, line: int, where: str
    ) -> dict[str, str | None] | None:
        if raw is None:
            return {}
        if not isinstance(raw, dict) or kind not in ("code", "age_band", "country"):
            self.add(
                line,
                f"{where}.values",
                "a mapping from written value to code (types code, age_band, country)",
            )
            return None
        found: dict[str, str | None] = {}
        for written, value in raw.items():
            key = norm(str(written))
            resolved = self._value(value, kind, target, code_list)
            if isinstance(resolved, tuple):
                self.add(getattr(raw, "line_of", lambda _k: line)(written), f"{where}.values", resolved[0])
                return None
            found[key] = resolved
        return found

    def _value(self, value: Any, kind: str, target: Target, code_list: str | None) -> str | tuple[str] | None:
        if value is None:
            return None
        if kind == "country":
            text = str(value).upper()
            known = text in self.book.codes("country") or (target.table == AGGREGATES and text == "XKX")
            return text if known else (f"'{value}' is not an ISO 3166-1 alpha-3 code",)
        concept = value.get("concept") if isinstance(value, dict) else None
        if target.table == AGGREGATES:
            wanted = concept if concept is not None else value
            if isinstance(wanted, str) and (wanted in AGGREGATE_TOKENS or wanted in builtin_scheme()):
                return wanted
            return (f"'{wanted}' is not a concept id (nor {' or '.join(AGGREGATE_TOKENS)})",)
        if code_list is None:
            return ("this target takes no coded values",)
        if concept is not None:
            code = self.book.concept_code(code_list, str(concept))
            return code if code is not None else (f"concept '{concept}' has no code in list '{code_list}'",)
        if isinstance(value, str) and value in self.book.codes(code_list):
            return value
        return (f"'{value}' is not a code of category list '{code_list}' (or write {{concept: id}})",)

    def _bounds(self, raw: Any, target: Target, line: int, where: str) -> tuple[float, float] | None:
        base = target.column.bounds if target.column is not None else None
        if raw is None:
            return base
        if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int | float) for v in raw)):
            self.add(line, f"{where}.range", "[low, high]")
            return base
        low, high = float(raw[0]), float(raw[1])
        if base is not None:
            low, high = max(low, base[0]), min(high, base[1])
        return low, high

    def _formats(self, raw: Any, kind: str, line: int, where: str) -> tuple[str, ...]:
        if kind != "date":
            return ()
        if raw is None:
            return ("%Y-%m-%d",)
        if not isinstance(raw, list) or not raw or not all(isinstance(f, str) and "%" in f for f in raw):
            self.add(line, f"{where}.formats", "a list of strptime formats such as '%d/%m/%Y'")
            return ("%Y-%m-%d",)
        return tuple(raw)

    def _when(self, raw: Any, line: int, where: str) -> dict[str, frozenset[str]]:
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
            self.add(line, f"{where}.when", "{column: [values]}")
            return {}
        return {str(k): frozenset(norm(str(v)) for v in vs) for k, vs in raw.items()}

    def _choice(
        self, node: Mapping[str, Any], key: str, options: tuple[str, ...], line: int, where: str
    ) -> str:
        value = node.get(key, options[0])
        if value not in options:
            self.add(line, f"{where}.{key}", " or ".join(options))
            return options[0]
        return str(value)
