"""Verification of officer bearer tokens (JWT, OIDC-style: iss, aud, exp, JWKS).

In production the keys come from the force's OIDC provider (``oidc.jwks_url``,
cached by PyJWT's ``PyJWKClient``); the demo node reads its own IdP's JWKS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt

from passerelle.auth.roles import Principal, Role
from passerelle.exc import Unauthorized

ALGORITHMS = ["EdDSA", "RS256", "ES256", "PS256"]


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        key_for: Callable[[str], Any],
        leeway_s: int = 30,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._key_for = key_for
        self.leeway_s = leeway_s

    @classmethod
    def from_jwks(
        cls, jwks: dict[str, Any], *, issuer: str, audience: str, leeway_s: int = 30
    ) -> TokenVerifier:
        keyset = jwt.PyJWKSet.from_dict(jwks)

        def key_for(token: str) -> Any:
            kid = jwt.get_unverified_header(token).get("kid")
            for k in keyset.keys:
                if k.key_id == kid:
                    return k.key
            raise Unauthorized("token signed by an unknown key", code="token_unknown_key")

        return cls(issuer=issuer, audience=audience, key_for=key_for, leeway_s=leeway_s)

    @classmethod
    def from_url(cls, url: str, *, issuer: str, audience: str, leeway_s: int = 30) -> TokenVerifier:
        client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)

        def key_for(token: str) -> Any:
            try:
                return client.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError:
                raise Unauthorized(
                    "identity provider keys unreachable", code="token_keys_unreachable"
                ) from None
            except jwt.PyJWKClientError:
                raise Unauthorized(
                    "token signed by an unknown key", code="token_unknown_key"
                ) from None

        return cls(issuer=issuer, audience=audience, key_for=key_for, leeway_s=leeway_s)

    def verify(self, token: str) -> Principal:
        try:
            key = self._key_for(token)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired", code="token_expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("token is for another audience", code="token_audience") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("token from an unknown issuer", code="token_issuer") from None
        except jwt.MissingRequiredClaimError as e:
            raise Unauthorized(f"token lacks claim {e.claim}", code="token_invalid") from None
        except jwt.PyJWTError:
            raise Unauthorized("token is not valid", code="token_invalid") from None
        roles: set[Role] = set()
        for name in claims.get("roles", []):
            try:
                roles.add(Role(name))
            except ValueError:
                continue  # roles of other applications are ignored
        return Principal(
            subject=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            roles=frozenset(roles),
            issuer=str(claims["iss"]),
            token_id=str(claims.get("jti", "")),
            expires_at=int(claims["exp"]),
        )
