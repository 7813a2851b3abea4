"""Name normalisation and particles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.names import (
    PersonName,
    german_key,
    join_particles,
    merge_particles,
    name_keys,
    normalise_name,
    split_particles,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Müller", "muller"),
        ("  Jean-Pierre   DUPONT ", "jean pierre dupont"),
        ("Öztürk", "ozturk"),
        ("Yılmaz", "yilmaz"),
        ("Wiśniewski", "wisniewski"),
        ("Kozłowski", "kozlowski"),
        ("Weiß", "weiss"),
        ("D'Hondt", "dhondt"),
        ("'t Hart", "t hart"),
        ("Gonçalves", "goncalves"),
    ],
)
def test_normalise(raw: str, key: str) -> None:
    assert normalise_name(raw) == key


def test_german_alternative_key() -> None:
    assert german_key("Müller") == "mueller"
    assert name_keys("Müller") == ("muller", "mueller")
    assert name_keys("Mueller") == ("mueller",)
    assert german_key("Schäfer") == normalise_name("Schaefer")


@pytest.mark.parametrize(
    ("raw", "split"),
    [
        ("van der Berg", ("van der", "Berg")),
        ("Van den Broeck", ("Van den", "Broeck")),
        ("de Vries", ("de", "Vries")),
        ("van 't Hof", ("van 't", "Hof")),
        ("in 't Veld", ("in 't", "Veld")),
        ("von der Heyden", ("von der", "Heyden")),
        ("ter Horst", ("ter", "Horst")),
        ("Vandenberghe", ("", "Vandenberghe")),
        ("Van", ("", "Van")),
        ("d'Artagnan", ("d'", "Artagnan")),
        ("de la Fontaine", ("de la", "Fontaine")),
    ],
)
def test_split_particles(raw: str, split: tuple[str, str]) -> None:
    assert split_particles(raw) == split


def test_merge_and_join() -> None:
    assert merge_particles("van den", "Berghe") == "Vandenberghe"
    assert merge_particles("van der", "Straeten") == "Vanderstraeten"
    assert merge_particles("de", "Smet") == "Desmet"
    assert merge_particles("", "Peeters") == "Peeters"
    assert join_particles("van der", "Berg") == "van der Berg"
    assert join_particles("van der", "Berg", capitalise=True) == "Van der Berg"
    assert join_particles("d'", "Hondt") == "d'Hondt"


def test_person_name_keys_agree_across_forms() -> None:
    nl = PersonName("Jan Pieter", "Berg", "van der")
    be = PersonName("Jan", "Vanderberg")
    assert nl.family_key == be.family_key == "vanderberg"
    assert nl.full_family_name == "van der Berg"
    assert nl.given_keys == ("jan", "pieter")


@given(st.text(max_size=40))
def test_normalise_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(
    st.sampled_from(["van", "van der", "van den", "de", "ter", "von"]),
    st.sampled_from(["Berg", "Broek", "Heyden", "Smet"]),
)
def test_split_inverts_join(prefix: str, name: str) -> None:
    assert split_particles(join_particles(prefix, name)) == (prefix, name)
    assert normalise_name(merge_particles(prefix, name)) == normalise_name(
        join_particles(prefix, name)
    ).replace(" ", "")
