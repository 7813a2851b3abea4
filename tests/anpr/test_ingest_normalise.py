"""The batch normaliser of the ingest agrees with ``normalise_read`` on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.anpr.ingest_normalise import VECTOR_FROM, normalise_batch
from passerelle.anpr.plates import normalise_read

plate_text = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -.abcÄÜö·/#?", max_size=14)
hint = st.sampled_from([None, "", "BE", "NL", "L", "D", "F", "nl", "XX"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(plate_text, hint), min_size=VECTOR_FROM, max_size=200))
def test_vector_and_scalar_agree(items: list[tuple[str, str | None]]) -> None:
    texts, hints = [t for t, _ in items], [h for _, h in items]
    batch = normalise_batch(texts, hints)
    for i, (text, h) in enumerate(items):
        one = normalise_read(text, h)
        assert (batch.plates[i], batch.countries[i], batch.inferred[i]) == (
            one.plate,
            one.country,
            one.inferred,
        ), (text, h)


def test_small_batches_use_the_scalar_rules() -> None:
    small = normalise_batch(["1-abc-234", "#?!"], [None, "NL"])
    assert small.plates == ["1ABC234", ""] and small.countries == ["BE", "NL"]
    assert small.inferred == [True, False]
