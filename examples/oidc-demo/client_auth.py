"""private_key_jwt with a short-lived assertion, from Authlib's own signer.

Authlib's PrivateKeyJWT signs assertions valid for an hour; kazasu-rp accepts at most
five minutes (clients::MAX_ASSERTION_LIFETIME). This passes Authlib's documented
`expires_in` to its `private_key_jwt_sign`, nothing else changes.
"""

from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign

# Seconds an assertion is valid: well inside the provider's limit.
ASSERTION_LIFETIME = 60


def _alg(key_pem: bytes) -> str:
    return "RS256" if b"RSA" in key_pem or _is_rsa_pkcs8(key_pem) else "ES256"


def _is_rsa_pkcs8(key_pem: bytes) -> bool:
    from authlib.jose import JsonWebKey

    return JsonWebKey.import_key(key_pem).kty == "RSA"


class ShortPrivateKeyJWT(PrivateKeyJWT):
    """Authlib's PrivateKeyJWT with `exp` ASSERTION_LIFETIME seconds ahead."""

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(
            auth.client_secret,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            claims=self.claims,
            header=self.headers,
            alg=self.alg,
            expires_in=ASSERTION_LIFETIME,
        )


def short_private_key_jwt(key_pem: bytes, token_endpoint=None, claims=None) -> ShortPrivateKeyJWT:
    """The auth method for a client whose private key is `key_pem` (EC: ES256, RSA: RS256)."""
    return ShortPrivateKeyJWT(token_endpoint=token_endpoint, claims=claims, alg=_alg(key_pem))
