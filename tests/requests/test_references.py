"""Hit/no-hit references: opaque, bound to the requesting node, expiring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, NotFound
from passerelle.requests.references import (
    HitReference,
    ReferenceExpired,
    ReferenceStore,
    record_key_of,
    record_key_values,
)
from passerelle.settings import ContactPointSettings
from passerelle.storage.tables import NATURAL_KEYS, hit_references

T0 = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(engine: sa.Engine, clock: Clock) -> Iterator[ReferenceStore]:
    yield ReferenceStore(
        engine,
        ttl=dt.timedelta(days=30),
        contact=ContactPointSettings(name="SPOC NL", phone="+31 88 000", email="spoc@x.nl"),
        clock=clock,
    )


def issue(store: ReferenceStore, requester: Country = Country.BE, key: str = "123") -> str:
    return store.issue(
        dataset="police_records",
        record_key=key,
        requester=requester,
        check_id="chk-1",
        purpose="joint_control",
    )


def test_issue_then_resolve(store: ReferenceStore) -> None:
    ref = issue(store, key="PR-2024-0001")
    got = store.resolve(ref, Country.BE)
    assert got == HitReference(
        reference=ref,
        dataset="police_records",
        record_key="PR-2024-0001",
        requester=Country.BE,
        check_id="chk-1",
        purpose="joint_control",
        issued_at=T0,
        expires_at=T0 + dt.timedelta(days=30),
    )


def test_reference_is_opaque_and_unique(store: ReferenceStore) -> None:
    refs = {issue(store, key="PR-2024-0001") for _ in range(50)}
    assert len(refs) == 50  # same record, same requester: a new token every time
    for ref in refs:
        assert "PR-2024-0001" not in ref and "police" not in ref
        assert len(ref) == 32 and ref.replace("-", "").replace("_", "").isalnum()


def test_unknown_reference(store: ReferenceStore) -> None:
    issue(store)
    for bad in ("nope", "", "x" * 500):
        with pytest.raises(NotFound) as e:
            store.resolve(bad, Country.BE)
        assert e.value.code == "reference_unknown"


def test_reference_is_bound_to_its_requester(store: ReferenceStore) -> None:
    ref = issue(store, Country.BE)
    for other in (Country.NL, Country.LU, Country.DE):
        with pytest.raises(Forbidden) as e:
            store.resolve(ref, other)
        assert e.value.code == "reference_not_yours"
    assert store.resolve(ref, Country.BE).requester is Country.BE


def test_reference_expires(store: ReferenceStore, clock: Clock) -> None:
    ref = issue(store)
    clock.now = T0 + dt.timedelta(days=30) - dt.timedelta(seconds=1)
    assert store.resolve(ref, Country.BE).reference == ref
    clock.now = T0 + dt.timedelta(days=30)
    with pytest.raises(ReferenceExpired) as e:
        store.resolve(ref, Country.BE)
    assert e.value.status == 410 and e.value.code == "reference_expired"
    # another node learns nothing, not even that it expired
    with pytest.raises(Forbidden):
        store.resolve(ref, Country.NL)


def test_purge_expired(store: ReferenceStore, clock: Clock, engine: sa.Engine) -> None:
    old = issue(store)
    clock.now = T0 + dt.timedelta(days=20)
    new = issue(store)
    clock.now = T0 + dt.timedelta(days=31)
    assert store.purge_expired() == 1
    with engine.connect() as conn:
        left = conn.execute(sa.select(hit_references.c.reference)).scalars().all()
    assert left == [new]
    with pytest.raises(NotFound):
        store.resolve(old, Country.BE)


def test_unknown_dataset_is_refused(store: ReferenceStore) -> None:
    with pytest.raises(InvalidInput):
        store.issue(
            dataset="tax_records", record_key="1", requester=Country.BE, check_id="c", purpose="x"
        )


def test_contact_point(store: ReferenceStore) -> None:
    assert store.contact_point() == {
        "name": "SPOC NL",
        "phone": "+31 88 000",
        "email": "spoc@x.nl",
        "hours": "24/7",
    }
    plain = ReferenceStore(store.engine, node_name="Politie Limburg")
    assert plain.contact_point()["name"] == "Politie Limburg contact point"


def test_record_keys_of_every_dataset() -> None:
    row = {"national_id": "85073003328", "plate": "1-ABC-234", "plate_country": "BE"}
    assert record_key_of("population", row) == "85073003328"
    assert record_key_of("vehicles", row) == "1-ABC-234|BE"
    assert record_key_values("vehicles", "1-ABC-234|BE") == {
        "plate": "1-ABC-234",
        "plate_country": "BE",
    }
    with pytest.raises(InvalidInput):
        record_key_values("vehicles", "1-ABC-234")
    with pytest.raises(InvalidInput):
        record_key_of("nope", row)


@given(
    st.sampled_from(sorted(NATURAL_KEYS)),
    st.lists(st.text(st.characters(blacklist_characters="|"), min_size=1), min_size=3),
)
def test_record_key_round_trip(dataset: str, values: list[str]) -> None:
    row = dict(zip(NATURAL_KEYS[dataset], values, strict=False))
    key = record_key_of(dataset, row)
    assert record_key_values(dataset, key) == row


def test_node_context_wires_the_store(make_nodes: Callable[..., Any]) -> None:
    from tests.node.conftest import build

    nodes = make_nodes(Country.NL)
    ctx = build(nodes[Country.NL][0])
    try:
        ref = ctx.references.issue(
            dataset="population",
            record_key="123456782",
            requester=Country.BE,
            check_id="c",
            purpose="joint_control",
        )
        assert ctx.references.resolve(ref, Country.BE).record_key == "123456782"
        assert ctx.references.contact_point()["name"].endswith("contact point")
    finally:
        ctx.engine.dispose()
