"""Helpers for tests of Palermo and of code built on it: hypothesis strategies.

Needs the ``dev`` extra (hypothesis)::

    from palermo.testing import case_records

    @given(case_records())
    def test_round_trip(record): ...
"""

from palermo.testing.strategies import case_records

__all__ = ["case_records"]
