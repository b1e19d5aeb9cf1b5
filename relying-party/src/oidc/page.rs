//! The provider's HTML: the authorization page (QR code for the phone, a `kazasu://` link for
//! this computer, and a poll that only hears "pending" or "done") and plain message pages.
//! Self-contained (inline script and style), and every value put in them is HTML-escaped.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page's Content-Security-Policy: its inline script and style, same-origin requests, no
/// framing, no forms.
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#222}#qr svg{width:240px;height:240px}#challenge-url{font-family:monospace;font-size:.8rem;word-break:break-all}#status{font-size:1.2rem;margin-top:1rem}.failed{color:#a00}a.button{display:inline-block;padding:.5rem 1rem;background:#2450a0;color:#fff;border-radius:.3rem;text-decoration:none}";

/// A page with a title and one message.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    html(
        status,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1><p id=\"message\" class=\"failed\">{m}</p></body></html>",
            t = escape(title),
            m = escape(text)
        ),
    )
}

/// The consent screen: exactly what the service asks to be released, from the signing
/// certificate, with the signing PIN; "Allow" or "Refuse" (refused, the login goes on with the
/// authentication PIN only and nothing personal is released).
pub fn consent(client: &str, nonce: &str, items: &[&str], cookie: HeaderValue) -> Response {
    let list: String = items
        .iter()
        .map(|i| format!("<li>{}</li>", escape(i)))
        .collect();
    let body = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{c} asks for personal data</title><style>{STYLE}button{{font-size:1rem;padding:.5rem 1rem;margin-right:1rem}}</style></head>
<body><h1>{c} asks for personal data</h1>
<p>If you allow it, these will be read from your card's signing certificate (you will type your <strong>signing PIN</strong>) and given to {c}:</p>
<ul id="released">{list}</ul>
<p>Nothing else is released. If you refuse, you log in with your authentication PIN only and {c} learns none of these.</p>
<form method="post" action="/oidc/continue/{n}/consent">
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Refuse</button>
</form></body></html>"#,
        c = escape(client),
        n = escape(nonce),
    );
    let mut response = html(StatusCode::OK, body);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

/// What the authorization page shows.
pub struct AuthorizePage<'a> {
    /// The client's name.
    pub client: &'a str,
    /// The login challenge's nonce (for the status and continue URLs).
    pub nonce: &'a str,
    /// The challenge URL the phone opens (also in the QR code).
    pub challenge_url: &'a str,
    /// The QR code of the challenge URL (SVG markup we made).
    pub qr_svg: &'a str,
    /// The `kazasu://` link for a reader on this computer.
    pub app_link: &'a str,
    /// The `Set-Cookie` value binding the login to this browser (none when it is set already).
    pub cookie: Option<HeaderValue>,
    /// What the holder agreed to release (empty: nothing personal).
    pub released: &'a [&'a str],
}

/// The authorization page.
pub fn authorize(page: AuthorizePage<'_>) -> Response {
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in to {client} with your My Number Card</title><style>{STYLE}</style></head>
<body>
<h1>Log in to {client}</h1>
{about}
<p>Scan this code with the Kazasu app on the phone that will read your card:</p>
<div id="qr" aria-label="QR code of the login">{qr}</div>
<p>Or open: <span id="challenge-url">{url}</span></p>
<p>A card reader on this computer? <a class="button" id="open-app" href="{app}">Open Kazasu</a></p>
<p id="status" role="status" aria-live="polite">Waiting for the card…</p>
<script>
"use strict";
const nonce = {nonce_js};
const statusEl = document.getElementById("status");
async function poll() {{
  try {{
    const r = await fetch("/oidc/status/" + encodeURIComponent(nonce), {{ cache: "no-store", credentials: "same-origin" }});
    if (r.status === 404) {{ statusEl.textContent = "The login expired; go back to the service and start again."; statusEl.className = "failed"; return; }}
    if (r.ok) {{
      const s = await r.json();
      if (s.state === "done") {{
        statusEl.textContent = "Card read: continuing…";
        window.location.assign("/oidc/continue/" + encodeURIComponent(nonce));
        return;
      }}
    }}
  }} catch (e) {{ /* a network hiccup: keep polling */ }}
  setTimeout(poll, 500);
}}
poll();
</script>
</body>
</html>
"#,
        client = escape(page.client),
        about = if page.released.is_empty() {
            format!(
                "<p id=\"released\">{} asks who you are. Only your card's authentication certificate is used: no name, address or other personal data is released.</p>",
                escape(page.client)
            )
        } else {
            format!(
                "<p id=\"released\">You allowed {} to receive: {}. The phone will ask for your signing PIN too.</p>",
                escape(page.client),
                escape(&page.released.join(", "))
            )
        },
        qr = page.qr_svg,
        url = escape(page.challenge_url),
        app = escape(page.app_link),
        nonce_js = serde_json::to_string(page.nonce).unwrap_or_default(),
    );
    let mut response = html(StatusCode::OK, body);
    if let Some(cookie) = page.cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
