"""Dice kernels (compiled and NumPy give the same pairs as a plain count) and the greedy solver."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from palermo.linkage._dice import HAVE_NUMBA, adjust_table, all_pairs, dice_scores, need_table, pair_shared
from palermo.linkage._solve import solve

words = hnp.arrays(np.uint64, st.tuples(st.integers(0, 12), st.just(2)), elements=st.integers(0, 2**64 - 1))


def _brute(a: np.ndarray, b: np.ndarray, threshold: float, same: bool) -> set[tuple[int, int, int]]:
    out = set()
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if same and j <= i:
                continue
            pa = sum(int(v).bit_count() for v in x)
            pb = sum(int(v).bit_count() for v in y)
            shared = sum((int(u) & int(v)).bit_count() for u, v in zip(x, y, strict=True))
            if pa + pb and 2.0 * shared / (pa + pb) >= threshold:
                out.add((i, j, shared))
    return out


@settings(max_examples=60, deadline=None)
@given(words, words, st.sampled_from([0.3, 0.5, 0.6, 0.75, 1.0]))
def test_all_pairs_match_a_plain_count(a: np.ndarray, b: np.ndarray, threshold: float) -> None:
    expected = _brute(a, b, threshold, False)
    for use_numba in (True, False):
        i, j, s = all_pairs(a, b, threshold, use_numba=use_numba, chunk=5)
        assert set(zip(i.tolist(), j.tolist(), s.tolist(), strict=True)) == expected
    i, j, s = all_pairs(a, a, threshold, same=True, chunk=5)
    assert set(zip(i.tolist(), j.tolist(), s.tolist(), strict=True)) == _brute(a, a, threshold, True)


def test_need_table_is_the_float_test() -> None:
    need = need_table(0.8, 300)
    for total in range(1, 301):
        for shared in range(total + 1):
            assert (shared >= need[total]) == (2.0 * shared / total >= 0.8)


def test_adjusted_dice_leaves_out_missing_fields() -> None:
    table = adjust_table([10.0, 100.0])
    assert table.tolist() == [0, 10, 100, 110]
    # a record without field 1 (100 own bits) inside one that has it
    scores = dice_scores(np.array([50]), np.array([50]), np.array([150]), table[np.array([0b10])])
    assert scores.tolist() == [1.0]
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2**63, (40, 4), dtype=np.uint64)
    b = a.copy()
    b[::2] &= rng.integers(0, 2**63, (20, 4), dtype=np.uint64)
    pres_a, pres_b = rng.integers(0, 4, 40), rng.integers(0, 4, 40)
    got = [all_pairs(a, b, 0.7, presence=(pres_a, pres_b), adjust=table, use_numba=u) for u in (True, False)]
    assert all(np.array_equal(x, y) for x, y in zip(*got, strict=True))
    i, j, s = got[0]
    pop = np.bitwise_count(a).sum(1), np.bitwise_count(b).sum(1)
    assert (dice_scores(s, pop[0][i], pop[1][j], table[pres_a[i] ^ pres_b[j]]) >= 0.7).all()
    assert np.array_equal(pair_shared(np.vstack([a, b]), i, j + 40), s)


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")
def test_pair_shared_numba_and_numpy_agree() -> None:
    rng = np.random.default_rng(5)
    w = rng.integers(0, 2**63, (100, 16), dtype=np.uint64)
    left, right = rng.integers(0, 100, 500), rng.integers(0, 100, 500)
    assert np.array_equal(
        pair_shared(w, left, right, use_numba=True), pair_shared(w, left, right, use_numba=False)
    )


def test_greedy_solver_takes_best_links_first_and_keeps_agencies_apart() -> None:
    # agencies: 0 0 1 1 2
    sources = np.array([0, 0, 1, 1, 2])
    a = np.array([0, 1, 0, 2, 0])
    b = np.array([2, 2, 4, 4, 3])
    score = np.array([0.90, 0.95, 0.85, 0.80, 0.99])
    clusters = solve(sources, a, b, score)
    labels = clusters.labels.tolist()
    # 1-2 (0.95) beats 0-2 (0.90); 0-3 joins; 0-4 (agency 2) joins 0's cluster; 2-4 then refused
    assert labels[1] == labels[2]
    assert labels[0] == labels[3] == labels[4]
    assert labels[0] != labels[1]
    assert clusters.count == 2
    assert sorted(clusters.size.tolist()) == [2, 3]


def test_within_agency_duplicates_join_first() -> None:
    sources = np.array([0, 0, 1])
    clusters = solve(sources, np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.9, 0.95, 0.8]))
    assert clusters.count == 1
    assert clusters.links.tolist() == [2]
    assert clusters.min_score.tolist() == [0.9]


edges = st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14), st.floats(0.5, 1.0)), max_size=40)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=15, max_size=15), edges)
def test_solver_invariants(source_list: list[int], edge_list: list[tuple[int, int, float]]) -> None:
    sources = np.array(source_list)
    kept = [(min(x, y), max(x, y), s) for x, y, s in edge_list if x != y]
    a = np.array([e[0] for e in kept], dtype=np.int64)
    b = np.array([e[1] for e in kept], dtype=np.int64)
    score = np.array([round(e[2], 3) for e in kept], dtype=np.float64)
    compiled = solve(sources, a, b, score)
    plain = solve(sources, a, b, score, pure_python=True)
    assert np.array_equal(compiled.labels, plain.labels)
    assert np.array_equal(compiled.size, plain.size)
    # agencies meet in a cluster only through within-agency links (their duplicates)
    cross = sources[a] != sources[b] if len(a) else np.zeros(0, bool)
    only_cross = solve(sources, a[cross], b[cross], score[cross])
    for label in range(only_cross.count):
        members = sources[only_cross.labels == label]
        assert len(members) == len(set(members.tolist()))
    assert np.bincount(compiled.labels).tolist() == compiled.size.tolist()
