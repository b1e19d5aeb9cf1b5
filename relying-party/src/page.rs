//! The cross-device login page: it asks for a challenge, shows it as a QR code for the phone
//! that holds the card, and polls until the card login arrives. The challenge request's reply
//! sets an HttpOnly cookie that only this browser holds: the status gives the token to it alone,
//! not to whoever else read the nonce off the QR code. Self-contained (inline script
//! and style, no external resources), so it works on a machine without internet.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in with your My Number Card</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  #qr svg { width: 240px; height: 240px; }
  #challenge-url { font-family: monospace; font-size: 0.8rem; word-break: break-all; }
  #status { font-size: 1.2rem; margin-top: 1rem; }
  #status.ok { color: #070; }
  #status.failed { color: #a00; }
  button { margin-top: 1rem; }
</style>
</head>
<body>
<h1>Log in with your My Number Card</h1>
<p>Scan this code with the Kazasu app on the phone that will read your card.</p>
<div id="qr" aria-label="QR code of the login challenge"></div>
<p>Or open: <span id="challenge-url"></span></p>
<p id="status" role="status" aria-live="polite">Starting…</p>
<button id="again" hidden>Start again</button>
<script>
"use strict";
const statusEl = document.getElementById("status");
const qrEl = document.getElementById("qr");
const urlEl = document.getElementById("challenge-url");
const again = document.getElementById("again");
let timer = null;

function show(text, cls) {
  statusEl.textContent = text;
  statusEl.className = cls || "";
}

async function start() {
  if (timer) { clearTimeout(timer); timer = null; }
  again.hidden = true;
  qrEl.textContent = "";
  qrEl.style.opacity = "";
  urlEl.textContent = "";
  show("Starting…");
  let body;
  try {
    const r = await fetch("/v1/login/challenge", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
      credentials: "same-origin"  // the reply's HttpOnly cookie ties this login to this browser
    });
    body = await r.json();
    if (!r.ok) { throw new Error(body.error || r.statusText); }
  } catch (e) {
    show("Cannot start a login: " + e.message, "failed");
    again.hidden = false;
    return;
  }
  const nonce = body.challenge.nonce;
  urlEl.textContent = body.challenge_url;
  try {
    const q = await fetch("/v1/login/challenge/" + encodeURIComponent(nonce) + "/qr.svg");
    if (q.ok) {
      const svg = new DOMParser().parseFromString(await q.text(), "image/svg+xml").documentElement;
      qrEl.replaceChildren(document.importNode(svg, true));
    }
  } catch (e) { /* the URL is shown as text too */ }
  show("Waiting for the card…");
  poll(nonce);
}

async function poll(nonce) {
  let next = true;
  try {
    const r = await fetch("/v1/login/status/" + encodeURIComponent(nonce), { cache: "no-store", credentials: "same-origin" });
    if (r.status === 404) {
      show("The login expired; start again.", "failed");
      next = false;
    } else if (r.ok) {
      const s = await r.json();
      if (s.state !== "pending") { qrEl.style.opacity = "0.15"; }
      if (s.state === "logged_in") {
        sessionStorage.setItem("kazasu_token", s.token);
        show("Logged in: card " + s.serial, "ok");
        next = false;
      } else if (s.state === "done") {
        show("Logged in", "ok");
        next = false;
      } else if (s.state === "failed") {
        show("Login refused: " + s.reason, "failed");
        next = false;
      }
    }
  } catch (e) { /* a network hiccup: keep polling */ }
  if (next) {
    timer = setTimeout(() => poll(nonce), 500);
  } else {
    again.hidden = false;
  }
}

again.addEventListener("click", start);
start();
</script>
</body>
</html>
"#;

/// `GET /`: the cross-device login page.
pub async fn index() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PAGE,
    )
        .into_response()
}
