"""The hotlist index against a brute-force reference, and live changes."""

from __future__ import annotations

import random
import threading

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.anpr import slots as slots_module
from passerelle.anpr.index import HotlistIndex, IndexEntry, Match, Tolerance
from passerelle.matching.keys import CONFUSION_CLASSES

CLASS_OF = {ch: cls for cls in CONFUSION_CLASSES for ch in cls}
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SMALL = "0ODQ18B5SXA"  # few symbols: many collisions, confusions and indels


def _confusions(a: str, b: str) -> int | None:
    """Substitutions between equal-length texts if all are OCR confusions, else None."""
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if any(CLASS_OF.get(x, x) != CLASS_OF.get(y, y) for x, y in diffs):
        return None
    return len(diffs)


def reference(read: str, entry: str, tol: Tolerance) -> tuple[int, int] | None:
    """(indel 0/-1/+1, confusions) of the best alignment within ``tol``, else None."""
    options: list[tuple[int, int, int]] = []
    if len(read) == len(entry):
        c = _confusions(read, entry)
        if c is not None:
            options.append((0, c, 0))
    if tol.indel and len(entry) >= tol.min_length_for_indel:
        if len(read) == len(entry) - 1:
            for i in range(len(entry)):
                c = _confusions(read, entry[:i] + entry[i + 1 :])
                if c is not None:
                    options.append((1, c, -1))
        if len(read) == len(entry) + 1:
            for j in range(len(read)):
                c = _confusions(read[:j] + read[j + 1 :], entry)
                if c is not None:
                    options.append((1, c, 1))
    options = [o for o in options if o[1] <= tol.max_confusions]
    if not options:
        return None
    best = min(options)
    return best[2], best[1]


def brute_force(
    entries: list[IndexEntry], reads: list[str], countries: list[str | None]
) -> set[tuple[int, str, str, int]]:
    out = set()
    for i, read in enumerate(reads):
        for e in entries:
            r = reference(read, e.plate, e.tolerance or Tolerance())
            if r is None:
                continue
            indel, conf = r
            outcome = "exact" if (indel, conf) == (0, 0) else "fuzzy"
            if countries[i] and e.country and countries[i] != e.country:
                outcome = "wrong_country"
            out.add((i, e.entry_id, outcome, conf))
    return out


def as_set(matches: list[Match]) -> set[tuple[int, str, str, int]]:
    return {(m.read_idx, m.entry_id, m.outcome, m.confusions) for m in matches}


plate = st.text(alphabet=SMALL, min_size=2, max_size=8)
tolerance = st.one_of(
    st.none(),
    st.builds(Tolerance, st.integers(0, 3), st.booleans(), st.integers(2, 7)),
)
country = st.sampled_from([None, "BE", "NL"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(plate, country, tolerance), min_size=1, max_size=25),
    st.lists(st.tuples(plate, country), max_size=40),
    st.randoms(use_true_random=False),
)
def test_index_equals_brute_force(
    raw_entries: list[tuple[str, str | None, Tolerance | None]],
    raw_reads: list[tuple[str, str | None]],
    rnd: random.Random,
) -> None:
    entries = [IndexEntry(f"e{k}", p, c, t) for k, (p, c, t) in enumerate(raw_entries)]
    # reads near the entries as well as random ones
    reads = [p for p, _ in raw_reads] + [_mutate(e.plate, rnd) for e in entries]
    countries = [c for _, c in raw_reads] + [rnd.choice([None, "BE", "NL"]) for _ in entries]
    index = HotlistIndex.build(entries)
    got = index.match(reads, countries)
    assert as_set(got) == brute_force(entries, reads, countries)
    assert len(got) == len({(m.read_idx, m.entry_id) for m in got})
    assert [m.read_idx for m in got] == sorted(m.read_idx for m in got)


def _mutate(text: str, rnd: random.Random) -> str:
    k = rnd.randrange(4)
    pos = rnd.randrange(len(text))
    if k == 0:  # confusion
        cls = CLASS_OF.get(text[pos])
        return text[:pos] + rnd.choice(cls) + text[pos + 1 :] if cls else text
    if k == 1:  # missing
        return text[:pos] + text[pos + 1 :]
    if k == 2:  # extra
        return text[:pos] + rnd.choice(ALPHABET) + text[pos:]
    return text


real_plate = st.from_regex(
    r"[1-9][A-Z]{3}[0-9]{3}|[A-Z]{2}[0-9]{3}[A-Z]{2}|AC[A-Z]{2}[1-9][0-9]{2}", fullmatch=True
)


@settings(max_examples=200, deadline=None)
@given(real_plate, st.integers(0, 9), st.sampled_from(ALPHABET), st.integers(0, 2))
def test_one_confusion_or_indel_is_found(text: str, pos: int, extra: str, kind: int) -> None:
    pos %= len(text)
    if kind == 0:
        cls = CLASS_OF.get(text[pos], text[pos])
        read = text[:pos] + cls[(cls.index(text[pos]) + 1) % len(cls)] + text[pos + 1 :]
    elif kind == 1:
        read = text[:pos] + text[pos + 1 :]
    else:
        read = text[:pos] + extra + text[pos:]
    decoys = [IndexEntry(f"d{k}", f"{k}XYZ{k}{k}{k}", "BE") for k in range(1, 10)]
    index = HotlistIndex.build([IndexEntry("target", text, None), *decoys])
    found = {m.entry_id: m for m in index.match([read], [None])}
    assert "target" in found
    assert found["target"].outcome == ("exact" if read == text else "fuzzy")


def test_add_remove_replace_and_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slots_module, "COMPACT_MIN_DEAD", 10)
    rnd = random.Random(7)
    live: dict[str, IndexEntry] = {}
    index = HotlistIndex()
    reads = ["".join(rnd.choice(SMALL) for _ in range(rnd.randint(4, 7))) for _ in range(300)]
    countries: list[str | None] = [None] * len(reads)
    for step in range(60):
        adds = [
            IndexEntry(f"e{rnd.randrange(80)}", "".join(rnd.choice(SMALL) for _ in range(
                rnd.randint(4, 7))), rnd.choice([None, "BE"]))
            for _ in range(rnd.randint(0, 6))
        ]  # fmt: skip
        index.add(adds)
        live.update({e.entry_id: e for e in adds})
        gone = rnd.sample(sorted(live), k=min(len(live), rnd.randint(0, 5)))
        index.remove([*gone, "never-there"])
        for g in gone:
            del live[g]
        assert len(index) == len(live)
        if step % 10 == 9:
            got = as_set(index.match(reads, countries))
            assert got == brute_force(list(live.values()), reads, countries)
            assert got == as_set(HotlistIndex.build(live.values()).match(reads, countries))


def test_large_index_delta_merge_and_series_input() -> None:
    rnd = random.Random(3)
    plates = {"".join(rnd.choice(ALPHABET) for _ in range(7)) for _ in range(20_000)}
    entries = [IndexEntry(f"e{k}", p, None) for k, p in enumerate(sorted(plates))]
    index = HotlistIndex.build(entries[:15_000])
    for k in range(15_000, 20_000, 500):  # many small adds: delta then merge
        index.add(entries[k : k + 500])
    reads = [e.plate for e in entries[::100]]
    got = index.match(pl.Series(reads), [None] * len(reads))
    exact = {(m.read_idx, m.entry_id) for m in got if m.outcome == "exact"}
    assert exact == {(i, e.entry_id) for i, e in enumerate(entries[::100])}


def test_tolerance_per_length_and_bad_input() -> None:
    index = HotlistIndex.build(
        [IndexEntry("short", "AB12", None), IndexEntry("long", "1ABC234", None),
         IndexEntry("garbage", "??", None), IndexEntry("own", "AB123CD", None, Tolerance(0))],
        by_length={4: Tolerance(max_confusions=0, indel=False)},
    )  # fmt: skip
    assert len(index) == 3 and index.rejected == {"garbage": "unusable_plate"}
    got = as_set(index.match(["A812", "IA8C234", "A8123CD", "", "1-abc-234"], [None] * 5))
    assert got == {(1, "long", "fuzzy", 2), (4, "long", "exact", 0)}
    with pytest.raises(Exception, match="differ in length"):
        index.match(["A"], [])
    assert index.match([], []) == []


def test_hotlist_changes_while_another_thread_matches() -> None:
    rnd = random.Random(11)
    plates = sorted({"".join(rnd.choice(ALPHABET) for _ in range(7)) for _ in range(6000)})
    index = HotlistIndex.build(IndexEntry(f"e{k}", p, None) for k, p in enumerate(plates[:3000]))
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            for k in range(3000, 6000, 100):
                index.add(IndexEntry(f"e{j}", plates[j], None) for j in range(k, k + 100))
                index.remove(f"e{j}" for j in range(k - 3000, k - 2900))
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    worker = threading.Thread(target=churn)
    worker.start()
    while worker.is_alive():
        got = index.match(plates[::50], [None] * len(plates[::50]))
        assert all(m.outcome in ("exact", "fuzzy") for m in got)
    worker.join()
    assert not errors and len(index) == 3000
    final = {m.entry_id for m in index.match(plates, [None] * len(plates)) if m.outcome == "exact"}
    assert final == {f"e{j}" for j in range(3000, 6000)}
