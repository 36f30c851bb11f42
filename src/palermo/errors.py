"""The whole exception tree of Palermo.

Every error Palermo raises on purpose derives from :class:`PalermoError`. Messages name the row,
the field and the rule, never a person's identifying values (names, dates of birth, document
numbers, narratives).

::

    PalermoError                    base; the CLI prints its message on one line and exits 2
    ├── ConfigError                 a setting is missing or malformed
    ├── StoreError                  the embedded store cannot be used
    │   ├── StoreVersionError       the store was written by a newer Palermo
    │   └── MigrationError          a migration file is malformed or failed to apply
    ├── ValidationError             input broke one or more rules; ``problems`` lists each one
    │   └── CaseValidationError     a case-model record broke a rule
    ├── ScenarioError               a synthetic world cannot be generated or read
    ├── NotFoundError               a named thing (case, dataset, concept …) does not exist
    │   ├── UnknownTermError        a concept id or term is not in the concept scheme
    │   └── UnknownCrosswalkError   no crosswalk is shipped for the named data standard
    ├── UnknownLanguageError        a language code is not one of the concept scheme's label languages
    ├── EmptyTermError              a term to look up is empty or only blanks and punctuation
    ├── UnsupportedFormatError      an export format is not one of those offered
    ├── VocabularyFileError         (a ValidationError) a concept-scheme or crosswalk file is malformed;
    │                               each problem names the file, the line and the rule
    ├── SchemeIntegrityError        (a ValidationError) a SKOS graph fails the integrity check
    ├── MappingError                (a ValidationError) an ingest mapping file is malformed; each problem
    │                               names the file, the line and the rule
    ├── UnknownMappingError         (a NotFoundError) no shipped mapping has this name and no such file
    ├── IngestError                 a file cannot be ingested at all (empty, binary, wrong delimiter,
    │                               missing columns); raised before anything is written
    ├── ScreeningInputError         (a ValidationError) screening answers break rules (unknown indicator,
    │                               impossible age, contradictory facts); ``problems`` lists each one
    ├── CatalogueFileError          (a ValidationError) an indicator catalogue or referral table file is
    │                               malformed; each problem names the file, the line and the rule
    ├── NoScreeningError            (a NotFoundError) a case has no stored screening
    ├── CaptureTableError           (a ValidationError) a capture-history table breaks rules (a list column
    │                               not 0/1, a negative or fractional count, a count for the all-zero history,
    │                               fewer than 3 lists); ``problems`` lists each one
    ├── EstimationError             no population estimate can be trusted from this table and model
    │   └── NoIdentifiableModelError  no candidate model has a maximum-likelihood estimate that exists and
    │                               is identifiable; ``parameters`` names those that cannot be estimated
    ├── UnknownLinkageRunError      (a NotFoundError) no stored linkage run has this id, or linkage runs
    │                               are not available in this installation yet
    ├── LinkageSchemaError          (a ValidationError) a linkage schema file is malformed; each problem
    │                               names the setting and the rule
    ├── UnknownLinkageSchemaError   (a NotFoundError) no shipped linkage schema has this name, no such file
    ├── LinkageSecretError          the linkage secret file is missing, unreadable, empty or too short
    ├── EncodingInputError          (a ValidationError) records to encode break rules (no record_id, a
    │                               repeated id, no name, a malformed date); rows and fields, never values
    ├── EncodedFileError            a file given to the hub is not a readable Palermo encoding
    ├── IncompatibleEncodingsError  encoded files differ in schema, length or secret; names the files
    ├── DuplicateSourceError        one agency's file is given twice (same name or same content)
    ├── LinkageEngineError          the chosen engine (Spark, Splink) cannot run here; says what to install
    ├── GroundTruthError            ground truth for an evaluation is missing or does not cover the links
    └── DisclosureError             a release cannot be made as asked; nothing is written
        ├── DisclosureParameterError  a disclosure setting is out of range (threshold below 2, k below 2,
        │                           epsilon zero or negative, delta outside [0, 1), a suppression limit
        │                           outside [0, 1])
        ├── QuasiIdentifierError    a named quasi-identifier, sensitive attribute or category column does
        │                           not exist in the data; names the column
        ├── DisclosureRiskError     the data is too sparse to release anything under the rules asked for,
        │   │                       or a release would break its guarantee
        │   └── DifferencingError   a release, subtracted from an earlier release of the same data,
        │                           would reveal a cell or record below the threshold
        ├── PrivacyBudgetError      a release would spend more privacy budget (epsilon, delta) than is left
        ├── UnknownProfileError     (a NotFoundError) no release profile has this name and no such file
        └── UnknownReleaseError     (a NotFoundError) no release in the ledger has this id
"""

from __future__ import annotations

from dataclasses import dataclass


class PalermoError(Exception):
    """Base class of every error Palermo raises on purpose."""


class ConfigError(PalermoError):
    """A setting is missing or malformed."""


class StoreError(PalermoError):
    """The embedded store cannot be opened, read or written."""


class StoreVersionError(StoreError):
    """The store's schema is newer than this version of Palermo understands."""


class MigrationError(StoreError):
    """A migration file is malformed, out of sequence, or failed to apply."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (row, field) and which rule. Never the offending value itself."""

    row: int | None
    field: str
    rule: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}field '{self.field}': {self.rule}"


class ValidationError(PalermoError):
    """Input broke one or more rules. All problems are collected first, then raised once."""

    def __init__(self, problems: list[Problem], what: str = "input") -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "no detail"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"invalid {what}: {first}{more}")


class CaseValidationError(ValidationError):
    """A record of the common case model broke a rule."""


class ScenarioError(PalermoError):
    """A synthetic world cannot be generated or read."""


class NotFoundError(PalermoError):
    """A named thing does not exist."""


class UnknownTermError(NotFoundError):
    """A concept id or a term is not in the concept scheme."""


class UnknownCrosswalkError(NotFoundError):
    """No crosswalk is shipped for the named data standard."""


class UnknownLanguageError(PalermoError):
    """A language code is not one of the concept scheme's label languages."""


class EmptyTermError(PalermoError):
    """A term to look up is empty, or only blanks and punctuation."""


class UnsupportedFormatError(PalermoError):
    """An export format is not one of those offered."""


class VocabularyFileError(ValidationError):
    """A concept-scheme or crosswalk file is malformed.

    ``problems`` lists every broken rule; each :class:`Problem` carries the line number in ``row``.
    The message names the file, the first line and rule, and how many more problems there are.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(problems, what=f"vocabulary file {path}")
        self.path = path
        first = self.problems[0] if self.problems else Problem(None, "file", "no detail")
        line = f"line {first.row}" if first.row is not None else "whole file"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        self.args = (f"invalid vocabulary file {path}, {line}, {first.field}: {first.rule}{more}",)


class SchemeIntegrityError(ValidationError):
    """A SKOS graph fails the integrity check (labels, hierarchy or scheme membership)."""


class MappingError(ValidationError):
    """An ingest mapping file is malformed.

    ``problems`` lists every broken rule; each :class:`Problem` carries the line number in ``row``.
    The message names the file, the first line and rule, and how many more problems there are.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(problems, what=f"mapping {path}")
        self.path = path
        first = self.problems[0] if self.problems else Problem(None, "file", "no detail")
        line = f"line {first.row}" if first.row is not None else "whole file"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        self.args = (f"invalid mapping {path}, {line}, {first.field}: {first.rule}{more}",)


class UnknownMappingError(NotFoundError):
    """No shipped mapping has this name, and no mapping file exists at this path."""


class IngestError(PalermoError):
    """A file cannot be ingested at all: empty, binary, the wrong delimiter, required columns missing.

    Raised before anything is written (or after rolling back what was). The message names the file,
    the row and the column where known, and the rule; never a value from the file.
    """


class ScreeningInputError(ValidationError):
    """The answers given to a screening broke one or more rules: an unknown indicator id, an answer
    that is not yes/no/unknown, an impossible age, facts that contradict each other. Every problem is
    listed in ``problems``; nothing is assessed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, what="screening input")
        listed = "; ".join(str(p) for p in self.problems) or "no detail"
        self.args = (f"invalid screening input ({len(self.problems)} problems): {listed}",)


class CatalogueFileError(ValidationError):
    """An indicator catalogue or a referral table file is malformed.

    ``problems`` lists every broken rule; each :class:`Problem` carries the line number in ``row``.
    The catalogue or table in use is left as it was.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(problems, what=f"screening file {path}")
        self.path = path
        first = self.problems[0] if self.problems else Problem(None, "file", "no detail")
        line = f"line {first.row}" if first.row is not None else "whole file"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        self.args = (f"invalid screening file {path}, {line}, {first.field}: {first.rule}{more}",)


class NoScreeningError(NotFoundError):
    """A case has no stored screening."""


class CaptureTableError(ValidationError):
    """A capture-history table breaks rules: a list column holds something other than 0 or 1, a count
    is negative, fractional or missing, the all-zero history (on no list) carries a count, or fewer than
    three lists remain. ``problems`` lists every one; each names the row (file line) and the column.
    The message lists the first five."""

    def __init__(self, problems: list[Problem], what: str = "capture-history table") -> None:
        super().__init__(problems, what=what)
        listed = "; ".join(str(p) for p in self.problems[:5]) or "no detail"
        more = f"; and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        count = f" ({len(self.problems)} problems)" if len(self.problems) > 1 else ""
        self.args = (f"invalid {what}{count}: {listed}{more}",)


class EstimationError(PalermoError):
    """No population estimate can be trusted from this table with the requested model or method."""


class NoIdentifiableModelError(EstimationError):
    """No candidate model has a maximum-likelihood estimate that exists and is identifiable.

    ``parameters`` names the parameters that cannot be estimated from the table (for instance the
    interaction of two lists that never share a case)."""

    def __init__(self, message: str, parameters: list[str] | None = None) -> None:
        super().__init__(message)
        self.parameters = list(parameters or [])


class UnknownLinkageRunError(NotFoundError):
    """No stored linkage run has this id, or linkage runs are not available in this installation yet."""


class LinkageSchemaError(ValidationError):
    """A linkage schema file is malformed. ``problems`` lists every broken rule; each
    :class:`Problem` names the setting (``features[2].hashing.strategy``) in ``field``."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__(problems, what=f"linkage schema {path}")
        self.path = path
        listed = "; ".join(str(p) for p in self.problems[:3]) or "no detail"
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        self.args = (f"invalid linkage schema {path}: {listed}{more}",)


class UnknownLinkageSchemaError(NotFoundError):
    """No shipped linkage schema has this name, and no schema file exists at this path."""


class LinkageSecretError(PalermoError):
    """The shared linkage secret cannot be used: the key file is missing, unreadable, empty or too
    short. The message names the file, never its content."""


class EncodingInputError(ValidationError):
    """Records to encode break rules: no ``record_id`` column, an empty or repeated id, a record
    without any name, a malformed date, sex or citizenship. ``problems`` lists every one by row and
    field; nothing is written."""

    def __init__(self, path: str, problems: list[Problem], action: str = "encode") -> None:
        super().__init__(problems, what=f"records to {action} in {path}")
        self.path = path
        listed = "; ".join(str(p) for p in self.problems[:3]) or "no detail"
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        self.args = (f"cannot {action} {path} ({len(self.problems)} problems): {listed}{more}",)


class EncodedFileError(PalermoError):
    """A file given to the hub is not a readable Palermo encoding (not Parquet, no encoding
    metadata, wrong columns, encodings of the wrong length)."""


class IncompatibleEncodingsError(PalermoError):
    """Encoded files were made with different schemas, encoding lengths or secrets, so their
    encodings cannot be compared; the message names the files in each group. Raised before matching."""


class DuplicateSourceError(PalermoError):
    """One agency's file is given twice: two files with the same name, or with the same content."""


class LinkageEngineError(PalermoError):
    """The chosen linkage engine cannot run here (pyspark or Java missing, Spark cannot start); the
    message says what to install or set."""


class GroundTruthError(PalermoError):
    """Ground truth for an evaluation is missing, malformed, or does not cover the linked records."""


__all__ = [
    "CaptureTableError",
    "CaseValidationError",
    "CatalogueFileError",
    "ConfigError",
    "DuplicateSourceError",
    "EmptyTermError",
    "EncodedFileError",
    "EncodingInputError",
    "EstimationError",
    "GroundTruthError",
    "IncompatibleEncodingsError",
    "IngestError",
    "LinkageEngineError",
    "LinkageSchemaError",
    "LinkageSecretError",
    "MappingError",
    "MigrationError",
    "NoIdentifiableModelError",
    "NoScreeningError",
    "NotFoundError",
    "PalermoError",
    "Problem",
    "ScenarioError",
    "SchemeIntegrityError",
    "ScreeningInputError",
    "StoreError",
    "StoreVersionError",
    "UnknownCrosswalkError",
    "UnknownLanguageError",
    "UnknownLinkageRunError",
    "UnknownLinkageSchemaError",
    "UnknownMappingError",
    "UnknownTermError",
    "UnsupportedFormatError",
    "ValidationError",
    "VocabularyFileError",
]


class DisclosureError(PalermoError):
    """A release cannot be made as asked; nothing has been written."""


class DisclosureParameterError(DisclosureError):
    """A disclosure setting is out of range: a threshold or k below 2, epsilon zero or negative,
    delta outside [0, 1), a suppression limit outside [0, 1]."""


class QuasiIdentifierError(DisclosureError):
    """A named quasi-identifier, sensitive attribute or category column is not in the data."""


class DisclosureRiskError(DisclosureError):
    """The data is too sparse to release anything under the rules asked for, or a release would
    break its stated guarantee."""


class DifferencingError(DisclosureRiskError):
    """A release, subtracted from an earlier release of the same data, would reveal a cell or a
    record below the threshold."""


class PrivacyBudgetError(DisclosureError):
    """A release would spend more privacy budget (epsilon, delta) than the ledger has left."""


class UnknownProfileError(NotFoundError, DisclosureError):
    """No release profile has this name, and no such profile file exists."""


class UnknownReleaseError(NotFoundError, DisclosureError):
    """No release in the ledger has this id."""
