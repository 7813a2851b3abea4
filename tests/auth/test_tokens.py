"""Officer token validation: every way a token can be wrong is refused."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from passerelle.auth.idp import DemoIdP, check_password, hash_password
from passerelle.auth.roles import Role, parse_roles
from passerelle.auth.tokens import TokenVerifier
from passerelle.exc import ConfigError, InvalidInput, Unauthorized

ISS = "http://127.0.0.1:8401/idp"
AUD = "passerelle-be"


@pytest.fixture
def idp(tmp_path: Path) -> DemoIdP:
    passwords = DemoIdP.initialise(tmp_path / "idp", "BE")
    assert set(passwords) == {"officer", "control", "contact", "analyst", "dpo", "admin"}
    return DemoIdP(tmp_path / "idp", issuer=ISS, audience=AUD)


@pytest.fixture
def verifier(idp: DemoIdP) -> TokenVerifier:
    return TokenVerifier.from_jwks(idp.jwks(), issuer=ISS, audience=AUD, leeway_s=0)


def test_valid_token_gives_principal_with_roles(idp: DemoIdP, verifier: TokenVerifier) -> None:
    token = idp.issue("alice", [Role.OFFICER, Role.ANALYST], name="Alice")
    p = verifier.verify(token)
    assert p.subject == "alice" and p.name == "Alice"
    assert p.roles == {Role.OFFICER, Role.ANALYST}
    assert p.has(Role.ANALYST) and not p.has(Role.DPO)


def _claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": ISS,
        "aud": AUD,
        "sub": "bob",
        "roles": ["officer"],
        "iat": now,
        "exp": now + 60,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _sign(idp: DemoIdP, claims: dict[str, object]) -> str:
    return jwt.encode(claims, idp._key, algorithm="EdDSA", headers={"kid": idp.kid})


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"exp": int(time.time()) - 5}, "token_expired"),
        ({"aud": "passerelle-nl"}, "token_audience"),
        ({"iss": "https://evil.example/idp"}, "token_issuer"),
        ({"exp": None}, "token_invalid"),
        ({"sub": None}, "token_invalid"),
    ],
)
def test_wrong_claims_are_refused(
    idp: DemoIdP, verifier: TokenVerifier, claims: dict[str, object], code: str
) -> None:
    with pytest.raises(Unauthorized) as e:
        verifier.verify(_sign(idp, _claims(**claims)))
    assert e.value.code == code


def test_token_signed_by_another_key_is_refused(idp: DemoIdP, verifier: TokenVerifier) -> None:
    other = Ed25519PrivateKey.generate()
    token = jwt.encode(_claims(), other, algorithm="EdDSA", headers={"kid": idp.kid})
    with pytest.raises(Unauthorized) as e:
        verifier.verify(token)
    assert e.value.code == "token_invalid"


def test_unknown_kid_is_refused(idp: DemoIdP, verifier: TokenVerifier) -> None:
    token = jwt.encode(_claims(), idp._key, algorithm="EdDSA", headers={"kid": "nope"})
    with pytest.raises(Unauthorized) as e:
        verifier.verify(token)
    assert e.value.code == "token_unknown_key"


def test_unsigned_and_garbage_tokens_are_refused(idp: DemoIdP, verifier: TokenVerifier) -> None:
    unsigned = jwt.encode(_claims(), None, algorithm="none", headers={"kid": idp.kid})
    for token in (unsigned, "not.a.jwt", ""):
        with pytest.raises(Unauthorized):
            verifier.verify(token)


def test_tampered_payload_is_refused(idp: DemoIdP, verifier: TokenVerifier) -> None:
    header, payload, sig = idp.issue("carol", [Role.OFFICER]).split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"officer", b"admin\x00\x00")
    ).decode()
    with pytest.raises(Unauthorized):
        verifier.verify(f"{header}.{forged}.{sig}")


def test_unknown_roles_in_token_are_ignored(idp: DemoIdP, verifier: TokenVerifier) -> None:
    token = _sign(idp, _claims(roles=["officer", "superuser"]))
    assert verifier.verify(token).roles == {Role.OFFICER}


def test_login_checks_password(idp: DemoIdP, tmp_path: Path) -> None:
    with pytest.raises(Unauthorized):
        idp.authenticate("officer", "wrong")
    with pytest.raises(Unauthorized):
        idp.authenticate("nobody", "x")


def test_initialise_is_idempotent_and_passwords_work(tmp_path: Path) -> None:
    first = DemoIdP.initialise(tmp_path / "i", "NL")
    assert DemoIdP.initialise(tmp_path / "i", "NL") == {}
    idp = DemoIdP(tmp_path / "i", issuer=ISS, audience=AUD)
    user = idp.authenticate("dpo", first["dpo"])
    assert user.roles == [Role.DPO]
    assert (tmp_path / "i" / "idp-key.pem").stat().st_mode & 0o777 == 0o600


def test_uninitialised_idp_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        DemoIdP(tmp_path / "missing", issuer=ISS, audience=AUD)


def test_password_hashes_are_salted() -> None:
    a, b = hash_password("s3cret"), hash_password("s3cret")
    assert a != b and check_password("s3cret", a) and not check_password("S3cret", a)
    assert not check_password("x", "garbage")


def test_parse_roles() -> None:
    assert parse_roles("officer, control_room,officer") == [Role.OFFICER, Role.CONTROL_ROOM]
    with pytest.raises(InvalidInput):
        parse_roles("officer,chief")
    with pytest.raises(InvalidInput):
        parse_roles(" , ")
