"""A tiny web service that logs people in with the My Number Card through kazasu-rp's OpenID
Connect provider, using Authlib's Flask client unmodified (authorization code flow, PKCE S256,
state and nonce, ID token checked against the provider's JWKS).

    KAZASU_ISSUER=http://127.0.0.1:8080 DEMO_CLIENT_ID=demo DEMO_CLIENT_SECRET=... \\
        python3 app.py --port 5000

With DEMO_CLIENT_KEY=<PEM file> instead of DEMO_CLIENT_SECRET the client authenticates with
private_key_jwt (ES256 for an EC key, RS256 for an RSA key). Prints "listening on URL" once
it serves.
"""

import argparse
import html
import os
import secrets
import sys

from flask import Flask, redirect, session, url_for
from authlib.integrations.flask_client import OAuth

from client_auth import short_private_key_jwt

app = Flask(__name__)
app.secret_key = os.environ.get("DEMO_SESSION_SECRET") or secrets.token_hex(32)
oauth = OAuth(app)

ISSUER = os.environ["KAZASU_ISSUER"].rstrip("/")
CLIENT_ID = os.environ.get("DEMO_CLIENT_ID", "demo")
KEY_FILE = os.environ.get("DEMO_CLIENT_KEY")

client_kwargs = {"scope": "openid", "code_challenge_method": "S256"}
register = {
    "name": "kazasu",
    "client_id": CLIENT_ID,
    "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
    "client_kwargs": client_kwargs,
}
if KEY_FILE:
    with open(KEY_FILE, "rb") as f:
        key_pem = f.read()
    register["client_secret"] = key_pem
    register["client_auth_methods"] = [short_private_key_jwt(key_pem)]
    client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"
else:
    register["client_secret"] = os.environ["DEMO_CLIENT_SECRET"]
    client_kwargs["token_endpoint_auth_method"] = "client_secret_basic"
oauth.register(**register)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo service</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}
a.button{{display:inline-block;padding:.6rem 1rem;background:#2450a0;color:#fff;border-radius:.3rem;text-decoration:none}}
code{{word-break:break-all}}</style></head><body><h1>Demo service</h1>{body}</body></html>"""


@app.route("/")
def index():
    user = session.get("user")
    if user:
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(str(v))}</code></td></tr>"
            for k, v in sorted(user.items())
        )
        body = (
            f'<p id="status">Logged in with the My Number Card</p><table>{rows}</table>'
            f'<p><a class="button" id="logout" href="{url_for("logout")}">Log out</a></p>'
        )
    else:
        body = (
            '<p id="status">Not logged in</p>'
            f'<p><a class="button" id="login" href="{url_for("login")}">Log in with My Number Card</a></p>'
            f'<p><a class="button" id="login-personal" href="{url_for("login", personal=1)}">'
            "Log in and share my name and date of birth</a></p>"
        )
    return PAGE.format(body=body)


# Asked only by the second button: the provider shows a consent screen listing exactly these.
PERSONAL_SCOPE = "openid name birthdate"


@app.route("/login")
def login():
    from flask import request

    extra = {"scope": PERSONAL_SCOPE} if request.args.get("personal") else {}
    return oauth.kazasu.authorize_redirect(url_for("callback", _external=True), **extra)


@app.route("/callback")
def callback():
    # Exchanges the code (with the PKCE verifier and client authentication) and checks the ID
    # token: signature against the JWKS, iss, aud, exp, iat and the nonce this session sent.
    token = oauth.kazasu.authorize_access_token()
    claims = token["userinfo"]
    keys = ("sub", "amr", "acr", "auth_time", "nonce", "name", "birthdate", "address", "gender")
    session["user"] = {k: claims[k] for k in keys if k in claims}
    session["id_token"] = token["id_token"]
    return redirect(url_for("index"))


@app.route("/logout")
def logout():
    id_token = session.pop("id_token", None)
    session.clear()
    metadata = oauth.kazasu.load_server_metadata()
    if id_token and metadata.get("end_session_endpoint"):
        from urllib.parse import urlencode

        query = urlencode({"id_token_hint": id_token, "client_id": CLIENT_ID})
        return redirect(f"{metadata['end_session_endpoint']}?{query}")
    return redirect(url_for("index"))


@app.errorhandler(Exception)
def failed(e):
    # Authlib raises OAuthError for an error redirect or a refused token request.
    status = getattr(e, "code", None)
    if not isinstance(status, int):
        status = 400
    error = getattr(e, "error", None) or type(e).__name__
    description = getattr(e, "description", None) or str(e)
    body = f'<p id="status" class="failed">Login failed: {html.escape(str(error))}</p><p>{html.escape(str(description))}</p>'
    return PAGE.format(body=body), status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    print(f"listening on http://127.0.0.1:{args.port}", flush=True)
    app.run(host="127.0.0.1", port=args.port, debug=False, use_reloader=False)


if __name__ == "__main__":
    sys.exit(main())
