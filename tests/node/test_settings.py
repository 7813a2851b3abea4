from __future__ import annotations

from pathlib import Path

import pytest

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.settings import load_settings


def test_defaults_are_derived_from_country_and_data_dir(tmp_path: Path) -> None:
    s = load_settings(country="nl", data_dir=tmp_path, port=8402)
    assert s.country is Country.NL
    assert s.public_url == "http://127.0.0.1:8402"
    assert s.db_url == f"sqlite:///{tmp_path.as_posix()}/node.db"
    assert s.trust_path == tmp_path / "trust.toml"
    assert s.oidc.issuer == "http://127.0.0.1:8402/idp"
    assert s.oidc.audience == "passerelle-nl"


def test_toml_file_with_relative_paths_and_env_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "node.toml"
    cfg.write_text('country = "LU"\ndata_dir = "data"\n[federation]\npartner_timeout_s = 1.5\n')
    monkeypatch.setenv("PASSERELLE_NAME", "Police grand-ducale")
    monkeypatch.setenv("PASSERELLE_FEDERATION__PARTNER_TIMEOUT_S", "0.5")
    s = load_settings(cfg)
    assert s.data_dir == tmp_path / "data"
    assert s.name == "Police grand-ducale"
    assert s.federation.partner_timeout_s == 0.5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('country = "FR"\n', "unknown country code"),
        ('country = "BE"\nport = 99999\n', "port"),
        ('country = "BE"\ncolour = "blue"\n', "colour"),
        ('country = "BE"\n[federation]\npartner_timeout_s = -1\n', "partner_timeout_s"),
        ("country = \n", "not valid TOML"),
        ("", "country"),
    ],
)
def test_malformed_config_names_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    cfg = tmp_path / "node.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_settings(cfg)
    assert fragment in e.value.detail


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_production_refuses_demo_idp_and_requires_oidc(tmp_path: Path) -> None:
    s = load_settings(country="DE", data_dir=tmp_path, mode="production")
    with pytest.raises(ConfigError, match="demo_idp"):
        s.check_production()
    ok = load_settings(
        country="DE",
        data_dir=tmp_path,
        mode="production",
        oidc={
            "demo_idp": False,
            "issuer": "https://login.example/realms/police",
            "jwks_url": "https://login.example/realms/police/certs",
        },
    )
    ok.check_production()
