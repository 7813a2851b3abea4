"""Every way a federation request can be wrong gets its own 401 code."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from passerelle.domain.countries import Country
from passerelle.exc import Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import (
    InMemoryNonceStore,
    sign_request,
    sign_response,
    verify_request,
    verify_response,
)
from passerelle.federation.trust import PartnerEntry, TrustStore

URL = "http://127.0.0.1:8402/federation/v1/hello"
BODY = b'{"subject":{"family_name":"Peeters"}}'


@pytest.fixture
def be(tmp_path: Path) -> NodeKey:
    return NodeKey.load_or_create(tmp_path / "be.pem", Country.BE)


@pytest.fixture
def trust(be: NodeKey) -> TrustStore:
    return TrustStore([PartnerEntry.from_key(be, base_url="http://127.0.0.1:8401", name="BE")])


def verify(
    headers: dict[str, str],
    *,
    method: str = "POST",
    url: str = URL,
    body: bytes = BODY,
    trust: TrustStore,
    nonces: InMemoryNonceStore | None = None,
    now: float | None = None,
) -> str:
    entry, _ = verify_request(
        method, url, headers, body, trust, nonces or InMemoryNonceStore(), window_s=30, now=now
    )
    return entry.key_id


def expect(code: str, **kw: object) -> None:
    with pytest.raises(Unauthorized) as e:
        verify(**kw)  # type: ignore[arg-type]
    assert e.value.code == code
    assert e.value.status == 401


def test_valid_request(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    assert verify(headers, trust=trust) == be.key_id


def test_unsigned(trust: TrustStore) -> None:
    expect("signature_missing", headers={"content-type": "application/json"}, trust=trust)


def test_tampered_body_with_original_digest(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    expect(
        "digest_mismatch", headers=headers, body=BODY.replace(b"Peeters", b"Janssens"), trust=trust
    )


def test_tampered_digest_header(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    other, _ = sign_request("POST", URL, {}, b"{}", be)
    headers["content-digest"] = other["content-digest"]
    expect("signature_invalid", headers=headers, body=b"{}", trust=trust)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("PUT", URL),
        ("POST", URL.replace("/hello", "/checks")),
        ("POST", URL + "?x=1"),
        ("POST", URL.replace("8402", "8403")),
    ],
)
def test_tampered_method_path_query_or_authority(
    be: NodeKey, trust: TrustStore, method: str, url: str
) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    expect("signature_invalid", headers=headers, method=method, url=url, trust=trust)


def test_tampered_content_type(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    headers["content-type"] = "text/plain"
    expect("signature_invalid", headers=headers, trust=trust)


def test_tampered_signature_params(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    headers["signature-input"] = headers["signature-input"].replace("created=", "created=1")
    expect("signature_invalid", headers=headers, trust=trust)


def test_expired(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    expect("signature_expired", headers=headers, trust=trust, now=time.time() + 31)


def test_future_dated(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    expect("signature_expired", headers=headers, trust=trust, now=time.time() - 60)


def test_replayed(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    nonces = InMemoryNonceStore()
    verify(headers, trust=trust, nonces=nonces)
    expect("signature_replayed", headers=headers, trust=trust, nonces=nonces)


def test_unknown_key(tmp_path: Path, trust: TrustStore) -> None:
    stranger = NodeKey.generate(Country.LU)
    headers, _ = sign_request("POST", URL, {}, BODY, stranger)
    expect("signature_unknown_key", headers=headers, trust=trust)


def test_signed_by_other_key_claiming_trusted_key_id(
    tmp_path: Path, be: NodeKey, trust: TrustStore
) -> None:
    impostor = NodeKey.load_or_create(tmp_path / "x.pem", Country.BE)
    headers, _ = sign_request("POST", URL, {}, BODY, impostor)
    headers["signature-input"] = headers["signature-input"].replace(impostor.key_id, be.key_id)
    expect("signature_invalid", headers=headers, trust=trust)


def test_nonce_store_forgets_after_ttl() -> None:
    store = InMemoryNonceStore()
    assert store.check_and_store("k", "n", ttl_s=0.0)
    assert store.check_and_store("k", "n", ttl_s=30.0)  # expired entry, accepted again
    assert not store.check_and_store("k", "n", ttl_s=30.0)
    assert store.check_and_store("other", "n", ttl_s=30.0)


def test_response_signature(tmp_path: Path) -> None:
    nl = NodeKey.load_or_create(tmp_path / "nl.pem", Country.NL)
    entry = PartnerEntry.from_key(nl, base_url="http://x", name="NL")
    headers = sign_response(200, {}, b'{"ok":1}', nl, "nonce-1")
    verify_response(200, headers, b'{"ok":1}', entry, "nonce-1")
    for status, body, nonce, code in [
        (200, b'{"ok":2}', "nonce-1", "digest_mismatch"),
        (500, b'{"ok":1}', "nonce-1", "signature_invalid"),
        (200, b'{"ok":1}', "nonce-2", "signature_invalid"),
    ]:
        with pytest.raises(Unauthorized) as e:
            verify_response(status, headers, body, entry, nonce)
        assert e.value.code == code
    other = NodeKey.load_or_create(tmp_path / "o.pem", Country.NL)
    with pytest.raises(Unauthorized):
        verify_response(200, sign_response(200, {}, b"{}", other, "n"), b"{}", entry, "n")


def test_expires_parameter_is_enforced(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be, expires_s=10)
    assert "expires=" in headers["signature-input"]
    assert verify(headers, trust=trust, now=time.time() + 5) == be.key_id
    headers, _ = sign_request("POST", URL, {}, BODY, be, expires_s=10)
    expect("signature_expired", headers=headers, trust=trust, now=time.time() + 15)


def test_window_edges_and_configurable_window(be: NodeKey, trust: TrustStore) -> None:
    now = time.time()
    slightly_ahead, _ = sign_request("POST", URL, {}, BODY, be, now=now + 3)
    assert verify(slightly_ahead, trust=trust, now=now) == be.key_id  # within 5 s skew
    old, _ = sign_request("POST", URL, {}, BODY, be, now=now - 60)
    expect("signature_expired", headers=old, trust=trust, now=now)
    entry, _ = verify_request(
        "POST", URL, old, BODY, trust, InMemoryNonceStore(), window_s=120, now=now
    )
    assert entry.key_id == be.key_id


def test_exactly_one_federation_signature(be: NodeKey, trust: TrustStore) -> None:
    first, _ = sign_request("POST", URL, {}, BODY, be)
    second, _ = sign_request("POST", URL, {}, BODY, be)
    both = dict(first)
    for name in ("signature-input", "signature"):
        both[name] = first[name] + ", " + second[name].replace("pas=", "pas2=", 1)
    expect("signature_invalid", headers=both, trust=trust)


@pytest.mark.parametrize("garbage", ["pas=", "pas=(", 'pas=("@method");created=x', "%%%"])
def test_malformed_signature_input(be: NodeKey, trust: TrustStore, garbage: str) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    headers["signature-input"] = garbage
    expect("signature_invalid", headers=headers, trust=trust)


def test_signature_without_our_tag_is_not_accepted(be: NodeKey, trust: TrustStore) -> None:
    headers, _ = sign_request("POST", URL, {}, BODY, be)
    headers["signature-input"] = headers["signature-input"].replace(
        'tag="passerelle-federation"', 'tag="other-app"'
    )
    expect("signature_invalid", headers=headers, trust=trust)


def test_nonce_store_purges_and_is_bounded() -> None:
    clock = [0.0]
    store = InMemoryNonceStore(max_entries=3, clock=lambda: clock[0])
    assert all(store.check_and_store("k", f"n{i}", ttl_s=10) for i in range(3))
    assert not store.check_and_store("k", "n3", ttl_s=10)  # full: fail closed
    assert store.size() == 3
    clock[0] = 10.0
    assert store.size() == 0  # all expired and purged
    assert store.check_and_store("k", "n0", ttl_s=10)


def test_nonce_store_is_atomic_across_threads() -> None:
    store = InMemoryNonceStore()
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def worker() -> None:
        barrier.wait()
        results.append(store.check_and_store("k", "same", ttl_s=30))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_response_expired_or_unsigned(tmp_path: Path) -> None:
    nl = NodeKey.generate(Country.NL)
    entry = PartnerEntry.from_key(nl, base_url="http://x", name="NL")
    old = sign_response(200, {}, b"{}", nl, "n", now=time.time() - 60)
    for headers, code in [
        (old, "signature_expired"),
        ({"content-type": "application/json"}, "signature_missing"),
    ]:
        with pytest.raises(Unauthorized) as e:
            verify_response(200, headers, b"{}", entry, "n")
        assert e.value.code == code
