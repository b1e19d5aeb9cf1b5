"""Single Authlib client calls against kazasu-rp's OpenID provider, for the end-to-end tests:
each prints one JSON line. The library is used as a service would use it (OAuth2Session from
authlib.integrations.requests_client, ID tokens checked with authlib.jose and authlib.oidc).

    client_calls.py start --issuer URL --client-id ID --redirect-uri URI [--scope "openid name …"]
        -> {"url", "state", "nonce", "code_verifier"}
    client_calls.py token --issuer URL --client-id ID --redirect-uri URI --code CODE
        [--code-verifier V] [--secret S | --key PEM [--jti J]] [--token-endpoint URL] [--nonce N]
        -> {"ok": true, "claims": {...}, "cache_control": ...} or {"ok": false, "error", "description"}
"""

import argparse
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.common.errors import AuthlibBaseError
from authlib.oidc.core import CodeIDToken

from client_auth import short_private_key_jwt

# Seconds to wait for the provider.
TIMEOUT = 20


def metadata(issuer):
    r = requests.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=TIMEOUT)
    r.raise_for_status()
    return r.json()


def start(args):
    meta = metadata(args.issuer)
    session = OAuth2Session(
        args.client_id, redirect_uri=args.redirect_uri, scope=args.scope, code_challenge_method="S256"
    )
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return {"url": url, "state": state, "nonce": nonce, "code_verifier": verifier}


def token(args):
    meta = metadata(args.issuer)
    kwargs = {}
    if args.key:
        with open(args.key, "rb") as f:
            key_pem = f.read()
        claims = {"jti": args.jti} if args.jti else None
        auth = short_private_key_jwt(key_pem, token_endpoint=meta["token_endpoint"], claims=claims)
        session = OAuth2Session(
            args.client_id, key_pem, redirect_uri=args.redirect_uri,
            token_endpoint_auth_method=auth,
        )
    else:
        session = OAuth2Session(
            args.client_id, args.secret, redirect_uri=args.redirect_uri,
            token_endpoint_auth_method="client_secret_basic",
        )
    if args.code_verifier:
        kwargs["code_verifier"] = args.code_verifier
    seen = {}

    def keep_headers(response):
        seen["cache_control"] = response.headers.get("Cache-Control")
        return response

    session.register_compliance_hook("access_token_response", keep_headers)
    endpoint = args.token_endpoint or meta["token_endpoint"]
    try:
        tok = session.fetch_token(endpoint, code=args.code, timeout=TIMEOUT, **kwargs)
    except AuthlibBaseError as e:
        return {"ok": False, "error": e.error, "description": e.description}
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=TIMEOUT).json())
    claims = jwt.decode(
        tok["id_token"], jwks, claims_cls=CodeIDToken,
        claims_options={"iss": {"values": [meta["issuer"]]}, "aud": {"values": [args.client_id]}},
        claims_params={"nonce": args.nonce, "client_id": args.client_id, "access_token": tok["access_token"]},
    )
    try:
        claims.validate(leeway=30)
    except Exception as e:  # authlib.jose.errors.JoseError and its kin
        return {"ok": False, "error": "id_token_invalid", "description": str(e)}
    userinfo = session.get(meta["userinfo_endpoint"], timeout=TIMEOUT).json()
    return {"ok": True, "claims": dict(claims), "userinfo": userinfo, **seen}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["start", "token"])
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--code")
    parser.add_argument("--code-verifier")
    parser.add_argument("--secret")
    parser.add_argument("--key")
    parser.add_argument("--jti")
    parser.add_argument("--nonce")
    parser.add_argument("--token-endpoint")
    parser.add_argument("--scope", default="openid")
    args = parser.parse_args()
    result = start(args) if args.command == "start" else token(args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
