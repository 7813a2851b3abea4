from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import PartnerEntry, TrustStore


def test_key_is_created_once_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "node.pem"
    a = NodeKey.load_or_create(path, Country.BE)
    b = NodeKey.load_or_create(path, Country.BE)
    assert a.key_id == b.key_id and a.key_id.startswith("BE-")
    assert path.stat().st_mode & 0o777 == 0o600
    assert not a.is_demo


def test_demo_keys_are_marked(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path / "k.pem", Country.NL, demo=True)
    assert key.is_demo
    assert NodeKey.load_or_create(tmp_path / "k.pem", Country.NL).is_demo


def test_garbage_key_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("not a key")
    with pytest.raises(ConfigError):
        NodeKey.load_or_create(path, Country.LU)


def test_trust_store_round_trip(tmp_path: Path) -> None:
    keys = [NodeKey.load_or_create(tmp_path / f"{c}.pem", c) for c in (Country.NL, Country.DE)]
    store = TrustStore(
        [
            PartnerEntry.from_key(k, base_url=f"http://{k.country}.example/", name=k.country)
            for k in keys
        ]
    )
    store.save(tmp_path / "trust.toml")
    loaded = TrustStore.load(tmp_path / "trust.toml")
    assert [p.key_id for p in loaded.partners()] == [keys[1].key_id, keys[0].key_id]
    assert loaded.get(Country.NL) is not None
    assert loaded.get(Country.NL).base_url == "http://NL.example"  # type: ignore[union-attr]
    assert loaded.get_by_key_id(keys[1].key_id).country is Country.DE  # type: ignore[union-attr]
    assert loaded.get_by_key_id("BE-0000") is None


def test_missing_trust_store_is_empty(tmp_path: Path) -> None:
    assert TrustStore.load(tmp_path / "none.toml").partners() == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[partners]\n", "not valid TOML"),
        (
            '[[partners]]\ncountry = "FR"\nbase_url = "http://x"\n'
            'key_id = "FR-1"\npublic_key = "AAAA"\n',
            "partner #1",
        ),
        (
            '[[partners]]\ncountry = "NL"\nbase_url = "ftp://x"\n'
            'key_id = "NL-1"\npublic_key = "AAAA"\n',
            "base_url",
        ),
        ('[[partners]]\ncountry = "NL"\nbase_url = "http://x"\nkey_id = "NL-1"\n', "public_key"),
    ],
)
def test_malformed_trust_store_names_the_entry(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "trust.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        TrustStore.load(path)
    assert fragment in e.value.detail


def test_key_id_must_belong_to_the_public_key(tmp_path: Path) -> None:
    a = NodeKey.load_or_create(tmp_path / "a.pem", Country.NL)
    b = NodeKey.load_or_create(tmp_path / "b.pem", Country.NL)
    forged = PartnerEntry.from_key(a, base_url="http://x", name="x").to_dict()
    forged["key_id"] = b.key_id
    path = tmp_path / "trust.toml"
    path.write_text(tomli_w.dumps({"partners": [forged]}))
    with pytest.raises(ConfigError, match="does not belong"):
        TrustStore.load(path)


def test_public_exports(tmp_path: Path) -> None:
    key = NodeKey.load_or_create(tmp_path / "k.pem", Country.DE)
    assert load_pem_public_key(key.public_pem().encode()) == key.public_key
    jwk = key.public_jwk()
    assert (jwk["kty"], jwk["crv"], jwk["kid"]) == ("OKP", "Ed25519", key.key_id)
    assert len(jwk["x"]) == 43 and "=" not in jwk["x"]
    assert (tmp_path / "k.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_demo_marker_sits_beside_the_key_and_only_on_creation(tmp_path: Path) -> None:
    NodeKey.load_or_create(tmp_path / "node.pem", Country.BE)
    assert not NodeKey.load_or_create(tmp_path / "node.pem", Country.BE, demo=True).is_demo
    NodeKey.load_or_create(tmp_path / "demo.pem", Country.BE, demo=True)
    assert (tmp_path / "demo.pem.demo").exists()


def test_trust_store_round_trip_keeps_every_field(tmp_path: Path) -> None:
    key = NodeKey.generate(Country.LU)
    original = PartnerEntry.from_key(key, base_url="https://lu.example/pas/", name="Police LU")
    TrustStore([original]).save(tmp_path / "t.toml")
    (loaded,) = TrustStore.load(tmp_path / "t.toml").partners()
    assert loaded.to_dict() == original.to_dict()
    assert loaded.public_key == key.public_key


def _entry_toml(key: NodeKey, **override: str) -> str:
    data = PartnerEntry.from_key(key, base_url="http://x.example", name="x").to_dict()
    data.update(override)
    return tomli_w.dumps({"partners": [data]})


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        ({"base_url": "http://"}, "partner #1 (NL) is invalid: base_url"),
        ({"base_url": "http://x.example?a=1"}, "query"),
        ({"public_key": "!!!"}, "public_key"),
        ({"public_key": "AAAA"}, "public_key"),
        ({"extra": "x"}, "extra"),
    ],
)
def test_malformed_entry_is_named(tmp_path: Path, mutate: dict[str, str], fragment: str) -> None:
    path = tmp_path / "trust.toml"
    path.write_text(_entry_toml(NodeKey.generate(Country.NL), **mutate))
    with pytest.raises(ConfigError) as e:
        TrustStore.load(path)
    assert fragment in e.value.detail and e.value.code == "trust_store_invalid"


def test_second_entry_for_a_country_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trust.toml"
    a, b = NodeKey.generate(Country.NL), NodeKey.generate(Country.NL)
    path.write_text(_entry_toml(a) + "\n" + _entry_toml(b))
    with pytest.raises(ConfigError, match=r"partner #2 \(NL\) is a second entry"):
        TrustStore.load(path)


def test_partners_must_be_an_array(tmp_path: Path) -> None:
    path = tmp_path / "trust.toml"
    path.write_text('partners = "NL"\n')
    with pytest.raises(ConfigError, match="array of tables"):
        TrustStore.load(path)
