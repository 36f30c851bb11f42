"""categories.yaml: every list cites its sources, every code comes from HTCDS v2.0 or a CTDC document."""

from __future__ import annotations

from pathlib import Path

from palermo.cases import load_categories

from ._sources import DOCUMENT_FILES, document_text


def test_every_list_names_its_sources() -> None:
    categories = load_categories()
    for name, clist in categories.lists.items():
        assert clist.sources, name
        for source in clist.sources:
            assert source.field, name
            assert source.document.title and source.document.version and source.document.date, name
        cited = {s.document.key for s in clist.sources}
        for code in clist.codes:
            assert code.document in cited, f"{name}.{code.code} comes from a document the list does not cite"
            for docs in code.aliases.values():
                assert set(docs) <= cited, f"{name}.{code.code}: alias from a document the list does not cite"


def test_documents_are_htcds_or_ctdc() -> None:
    for key, document in load_categories().documents.items():
        assert key.startswith(("htcds", "ctdc")), key
        assert document.title.startswith(
            ("Human Trafficking Case Data Standard", "HTCDS", "CTDC", "Counter")
        ), key


def test_broader_narrower_and_aliases_are_consistent() -> None:
    for name, clist in load_categories().lists.items():
        codes = {c.code for c in clist.codes}
        for code in clist.codes:
            assert code.broader is None or code.broader in codes, f"{name}.{code.code}"
            assert set(code.narrower) <= codes, f"{name}.{code.code}"
        for document in load_categories().documents:
            literals = [a for c in clist.codes for a, docs in c.aliases.items() if document in docs]
            assert len(literals) == len(set(literals)), f"{name}: an alias of {document} names two codes"


def test_standard_code_lists() -> None:
    categories = load_categories()
    assert {"NGA", "ITA", "SRB"} <= categories.codes("country")
    assert "NG" not in categories.codes("country") and "XKX" not in categories.codes("country")
    assert {"eng", "yor", "fra", "fre"} <= categories.codes("language")


def test_every_code_is_in_its_document(data_dir: Path) -> None:
    """No fabricated code: each code, or one of its aliases for that document, is in the document's text;
    each alias is in the text of every document it names."""
    categories = load_categories()
    texts = {doc: document_text(data_dir, doc) for doc in DOCUMENT_FILES}
    for name, clist in categories.lists.items():
        for code in clist.codes:
            text = texts[code.document]
            own = [a for a, docs in code.aliases.items() if code.document in docs]
            assert code.code in text or any(a in text for a in own), (
                f"{name}.{code.code} not in {code.document}"
            )
            for alias, docs in code.aliases.items():
                for doc in docs:
                    assert alias in texts[doc], f"{name}.{code.code}: alias {alias!r} not in {doc}"
