"""The mobile library's use cases through its generated Python bindings, against the simulator.

Every test in the first part runs twice (see the `link` fixture): over the library's own TCP
link, and through SocketChannel, a CardChannel implemented in Python.
"""

import base64
import hashlib
import json
import os
import secrets
import subprocess
import time

import pytest

import kazasu_mobile as km
from conftest import AUTH_PIN, CARD_INFO_PIN, SIGN_PIN, SocketChannel, run

RP_ID = "login.example.jp"
ORIGIN = "https://login.example.jp"


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def challenge_json():
    now = int(time.time())
    return json.dumps({
        "nonce": base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode(),
        "rp_id": RP_ID,
        "origin": ORIGIN,
        "issued_at": now,
        "expires_at": now + 120,
    })


def pem(der, label="CERTIFICATE"):
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def tries(link, kind):
    return next(p.status for p in link.session.pins() if p.kind == kind)


# ---- status and certificates ----------------------------------------------------------------

def test_status_reports_token_certificates_with_lifecycle_and_tries(link):
    status = link.session.status(None)  # today, in Japan
    assert status.token == km.TokenKind.MY_NUMBER_CARD()
    assert [c.slot for c in status.certificates] == [
        km.CertSlot.AUTH, km.CertSlot.AUTH_CA, km.CertSlot.SIGN, km.CertSlot.SIGN_CA]
    auth = status.certificates[0].summary
    assert auth.lifecycle == km.Lifecycle.VALID()  # issued today
    assert auth.key_usage == ["digitalSignature"]
    assert auth.holder is None
    sign = status.certificates[2]
    assert sign.summary is None and sign.needs_pin == km.PinKind.SIGN
    assert [(p.kind, p.status) for p in status.pins] == [
        (km.PinKind.AUTH, km.PinStatus.REMAINING(3)),
        (km.PinKind.SIGN, km.PinStatus.REMAINING(5)),
        (km.PinKind.CARD_INFO, km.PinStatus.REMAINING(3)),
    ]
    # Valid to the holder's 5th birthday after issue (born 15 March); renewal opens three months
    # before, on 15 December; the day after expiry it is expired.
    year = int(auth.expires_on[:4])
    assert auth.expires_on == f"{year}-03-15"

    def lifecycle_on(day):
        return link.session.status(day).certificates[0].summary.lifecycle

    assert lifecycle_on(f"{year - 1}-12-14") == km.Lifecycle.VALID()
    assert lifecycle_on(f"{year - 1}-12-15") == km.Lifecycle.RENEWAL_WINDOW(opens_on=f"{year - 1}-12-15")
    assert lifecycle_on(f"{year}-03-15") == km.Lifecycle.RENEWAL_WINDOW(opens_on=f"{year - 1}-12-15")
    assert lifecycle_on(f"{year}-03-16") == km.Lifecycle.EXPIRED()
    with pytest.raises(km.MobileError.InvalidInput):
        link.session.status("10/01/2027")


def test_certificates_are_der_and_the_signing_one_needs_its_pin(link, card_dir, tmp_path):
    ca = link.session.certificate(km.CertSlot.AUTH_CA, None)
    auth = link.session.certificate(km.CertSlot.AUTH, None)
    (tmp_path / "auth.pem").write_text(pem(auth))
    run("openssl", "verify", "-CAfile", card_dir / "trust" / "auth-ca.pem", tmp_path / "auth.pem")
    assert pem(ca).replace("\n", "") == (card_dir / "trust" / "auth-ca.pem").read_text().replace("\n", "")
    with pytest.raises(km.MobileError.PinRequired) as e:
        link.session.certificate(km.CertSlot.SIGN, None)
    assert e.value.kind == km.PinKind.SIGN
    sign = link.session.certificate(km.CertSlot.SIGN, SIGN_PIN)
    (tmp_path / "sign.pem").write_text(pem(sign))
    run("openssl", "verify", "-CAfile", card_dir / "trust" / "sign-ca.pem", tmp_path / "sign.pem")


# ---- PINs -----------------------------------------------------------------------------------

def test_verify_a_wrong_then_the_right_pin(link):
    with pytest.raises(km.MobileError.WrongPin) as e:
        link.session.verify_pin(km.PinKind.AUTH, "0000")
    assert (e.value.kind, e.value.tries_left) == (km.PinKind.AUTH, 2)
    assert e.value.user_message() == "wrong authentication PIN: 2 tries left"
    assert tries(link, km.PinKind.AUTH) == km.PinStatus.REMAINING(2)
    link.session.verify_pin(km.PinKind.AUTH, AUTH_PIN)
    assert tries(link, km.PinKind.AUTH) == km.PinStatus.REMAINING(3)
    link.session.verify_pin(km.PinKind.SIGN, SIGN_PIN.lower())  # upper-cased, as the core's rule says
    link.session.verify_pin(km.PinKind.CARD_INFO, CARD_INFO_PIN)


def test_a_malformed_pin_is_refused_before_anything_is_sent(link):
    sent_before = len(link.channel.sent) if link.channel else 0
    with pytest.raises(km.MobileError.InvalidPin) as e:
        link.session.verify_pin(km.PinKind.AUTH, "12a4")
    assert "nothing was sent" in e.value.user_message()
    with pytest.raises(km.MobileError.InvalidPin):
        link.session.sign_digest(bytes(32), km.DigestKind.SHA256, "ABCDEF")  # no digit
    if link.channel:
        assert len(link.channel.sent) == sent_before
    assert tries(link, km.PinKind.AUTH) == km.PinStatus.REMAINING(3)


def test_the_last_try_warns_and_a_locked_pin_is_never_sent(link):
    for left in (2, 1):
        with pytest.raises(km.MobileError.WrongPin) as e:
            link.session.verify_pin(km.PinKind.CARD_INFO, "0000")
        assert e.value.tries_left == left
    assert "Last try" in e.value.user_message()
    with pytest.raises(km.MobileError.PinLocked) as e:
        link.session.verify_pin(km.PinKind.CARD_INFO, "0000")
    assert "municipal office" in e.value.user_message()
    sent = len(link.channel.sent) if link.channel else 0
    with pytest.raises(km.MobileError.PinLocked):
        link.session.read_identity(CARD_INFO_PIN)
    if link.channel:
        verifies = [a for a in link.channel.sent[sent:] if a[1] == 0x20 and len(a) > 5]
        assert verifies == [], "a PIN was sent to a locked PIN"


def test_change_a_pin(link):
    link.session.change_pin(km.PinKind.AUTH, AUTH_PIN, "1111")
    with pytest.raises(km.MobileError.WrongPin):
        link.session.verify_pin(km.PinKind.AUTH, AUTH_PIN)
    link.session.verify_pin(km.PinKind.AUTH, "1111")
    with pytest.raises(km.MobileError.InvalidPin):
        link.session.change_pin(km.PinKind.SIGN, SIGN_PIN, "short")


# ---- login, signing, identity ----------------------------------------------------------------

def openssl_verify_sha256(cert_der, data, signature, tmp_path):
    (tmp_path / "cert.der").write_bytes(cert_der)
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(signature)
    pub = run("openssl", "x509", "-inform", "DER", "-in", tmp_path / "cert.der", "-pubkey", "-noout")
    (tmp_path / "pub.pem").write_text(pub)
    out = run("openssl", "dgst", "-sha256", "-verify", tmp_path / "pub.pem",
              "-signature", tmp_path / "sig", tmp_path / "data")
    assert "Verified OK" in out


def test_login_assertion_verifies(link, card_dir, tmp_path):
    challenge = challenge_json()
    assertion = json.loads(link.session.login_assertion(challenge, ORIGIN, AUTH_PIN, None))
    assert set(assertion) == {"client_data", "signature", "certificate"}
    client_data_bytes = b64u_decode(assertion["client_data"])
    client_data = json.loads(client_data_bytes)
    assert client_data["nonce"] == json.loads(challenge)["nonce"]
    assert client_data["origin"] == ORIGIN and client_data["rp_id"] == RP_ID
    assert client_data["type"] == "kazasu.login.card"
    certificate = b64u_decode(assertion["certificate"])
    assert certificate == link.session.certificate(km.CertSlot.AUTH, None)
    assert client_data["cert_sha256"] == base64.urlsafe_b64encode(
        hashlib.sha256(certificate).digest()).rstrip(b"=").decode()
    openssl_verify_sha256(certificate, client_data_bytes, b64u_decode(assertion["signature"]), tmp_path)
    # The relying party's request body.
    body = json.dumps({"nonce": client_data["nonce"], "assertion": assertion})
    assert json.loads(body)["assertion"]["signature"]


def test_login_binds_a_device_key(link, tmp_path):
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", tmp_path / "device.pem")
    spki = subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "device.pem"), "-pubout",
                           "-outform", "DER"], capture_output=True, check=True).stdout
    assertion = json.loads(link.session.login_assertion(challenge_json(), ORIGIN, AUTH_PIN, spki))
    client_data = json.loads(b64u_decode(assertion["client_data"]))
    assert b64u_decode(client_data["device_key"]) == spki


def test_login_refuses_a_bad_challenge_before_the_card(link):
    with pytest.raises(km.MobileError.InvalidInput):
        link.session.login_assertion('{"nonce": "x"}', ORIGIN, AUTH_PIN, None)
    with pytest.raises(km.MobileError.WrongPin):
        link.session.login_assertion(challenge_json(), ORIGIN, "0000", None)


@pytest.mark.parametrize("algorithm,hasher", [
    (km.DigestKind.SHA256, hashlib.sha256),
    (km.DigestKind.SHA512, hashlib.sha512),
])
def test_sign_a_document_digest_cades_verified_by_openssl(link, card_dir, tmp_path, algorithm, hasher):
    document = tmp_path / "contract.txt"
    document.write_bytes("契約書: the mobile layer signs a digest.\n".encode() * 100)
    cms = link.session.sign_digest(hasher(document.read_bytes()).digest(), algorithm, SIGN_PIN)
    (tmp_path / "contract.p7s").write_bytes(cms)
    run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "contract.p7s",
        "-content", document, "-CAfile", card_dir / "trust" / "sign-ca.pem", "-purpose", "any",
        "-out", os.devnull)
    # A changed document does not verify.
    document.write_bytes(b"something else")
    bad = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                          str(tmp_path / "contract.p7s"), "-content", str(document), "-CAfile",
                          str(card_dir / "trust" / "sign-ca.pem"), "-purpose", "any", "-out", os.devnull],
                         capture_output=True)
    assert bad.returncode != 0


def test_sign_refuses_a_digest_of_the_wrong_length_and_a_wrong_pin(link):
    with pytest.raises(km.MobileError.InvalidInput) as e:
        link.session.sign_digest(bytes(20), km.DigestKind.SHA256, SIGN_PIN)
    assert "32 bytes" in e.value.user_message()
    with pytest.raises(km.MobileError.WrongPin) as e:
        link.session.sign_digest(bytes(32), km.DigestKind.SHA256, "WRONG123")
    assert (e.value.kind, e.value.tries_left) == (km.PinKind.SIGN, 4)


def test_read_identity_from_the_card_info_application(link):
    identity = link.session.read_identity(CARD_INFO_PIN)
    assert identity.my_number == "123456789018"
    assert identity.name == "電子\u3000太郎"  # U+3000 between family and given name, as on a card
    assert identity.birth_date == "1990-03-15"
    assert identity.sex == km.Sex.MALE
    assert identity.address.startswith("神奈川県")
    assert identity.genuine  # the card's signed record matches and it signed a fresh challenge


class Counting(km.CardChannel):
    """Passes APDUs through and counts them."""

    def __init__(self, inner):
        self.inner, self.apdus = inner, 0

    def transceive(self, apdu):
        self.apdus += 1
        return self.inner.transceive(apdu)


def test_a_channel_that_sends_extended_apdus_reads_a_certificate_in_one(served):
    short = Counting(SocketChannel(served.address))
    km.CardSession(short).certificate(km.CertSlot.AUTH, None)
    short.inner.sock.close()  # the simulator serves one reader connection at a time
    extended = Counting(SocketChannel(served.address))
    der = km.CardSession.with_extended_length(extended).certificate(km.CertSlot.AUTH, None)
    assert len(der) > 1500
    # SELECT and one READ BINARY by short identifier, against SELECT, SELECT EF and 7 reads.
    assert extended.apdus == 2, extended.apdus
    assert short.apdus > extended.apdus + 4, (short.apdus, extended.apdus)


# ---- the foreign-trait path: what a platform's channel raises --------------------------------

class Scripted(km.CardChannel):
    """A channel that fails the way a test says, after letting `passes` APDUs through `inner`."""

    def __init__(self, inner, passes, failure):
        self.inner, self.passes, self.failure = inner, passes, failure

    def transceive(self, apdu):
        if self.passes == 0:
            raise self.failure
        self.passes -= 1
        return self.inner.transceive(apdu)


def test_card_removed_raised_by_the_platform_reaches_the_caller(served):
    channel = SocketChannel(served.address)
    session = km.CardSession(Scripted(channel, 3, km.MobileError.CardRemoved()))
    with pytest.raises(km.MobileError.CardRemoved) as e:
        session.status(None)
    assert "hold it still" in e.value.user_message()


def test_a_platform_error_keeps_its_variant_and_reason(served):
    channel = SocketChannel(served.address)
    session = km.CardSession(Scripted(channel, 0, km.MobileError.Transport("NFC is switched off")))
    with pytest.raises(km.MobileError.Transport) as e:
        session.pins()
    assert e.value.reason == "NFC is switched off"
    session = km.CardSession(Scripted(channel, 0, km.MobileError.Timeout(1500)))
    with pytest.raises(km.MobileError.Timeout) as e:
        session.pins()
    assert e.value.millis == 1500


def test_an_unexpected_exception_in_the_channel_is_an_error_not_a_crash(served):
    channel = SocketChannel(served.address)
    session = km.CardSession(Scripted(channel, 1, RuntimeError("bug in the bridge")))
    with pytest.raises(km.MobileError.Unexpected) as e:
        session.status(None)
    assert "bug in the bridge" in e.value.user_message()


def test_pulling_the_card_away_during_verify_costs_no_try(served):
    channel = SocketChannel(served.address)
    session = km.CardSession(channel)
    served.control("tear verify")
    with pytest.raises(km.MobileError.CardRemoved):
        session.verify_pin(km.PinKind.AUTH, AUTH_PIN)
    assert "3 of 3 tries left" in served.state().split("authentication PIN")[1].splitlines()[0]
    channel.close()
    with pytest.raises(km.MobileError.NoCard):
        SocketChannel(served.address)
    served.control("insert")
    again = km.CardSession(SocketChannel(served.address))
    again.verify_pin(km.PinKind.AUTH, AUTH_PIN)


# The card pulled away at each step of a signature, a login and a PIN change: the same classified
# error as the CLI's exit 5 and the app's `card_removed` (tests/tests/card_pulled.rs,
# tauri-app/src-tauri/tests/commands.rs), and no try lost.
PULLED_OPERATIONS = {
    "sign": lambda s: s.sign_digest(hashlib.sha256(b"contract").digest(), km.DigestKind.SHA256, SIGN_PIN),
    "login": lambda s: s.login_assertion(challenge_json(), ORIGIN, AUTH_PIN, None),
    "pin change": lambda s: s.change_pin(km.PinKind.AUTH, AUTH_PIN, "9999"),
}


@pytest.mark.parametrize(
    "operation,step",
    [(op, step) for op in ("sign", "login") for step in ("select", "verify", "read", "sign")]
    + [("pin change", step) for step in ("select", "change")],
)
def test_the_card_pulled_away_at_each_step_is_card_removed_with_no_try_lost(served, operation, step):
    channel = SocketChannel(served.address)
    session = km.CardSession(channel)
    served.control(f"tear {step}")
    with pytest.raises(km.MobileError.CardRemoved) as e:
        PULLED_OPERATIONS[operation](session)
    assert "hold it still" in e.value.user_message()
    shown = served.state()
    for name, limit in (("authentication PIN", 3), ("signing PIN", 5)):
        line = shown.split(name)[1].splitlines()[0]
        assert f"{limit} of {limit} tries left" in line, f"{operation} pulled at {step}: {line}"
    channel.close()
    served.control("insert")
    # The PIN was not changed: the old one still opens the card.
    km.CardSession(SocketChannel(served.address)).verify_pin(km.PinKind.AUTH, AUTH_PIN)


class NotACard(km.CardChannel):
    """Answers every command with 6A 82 (file or application not found)."""

    def transceive(self, apdu):
        return bytes([0x6A, 0x82])


def test_a_card_without_jpki_is_not_a_my_number_card():
    with pytest.raises(km.MobileError.NotMyNumberCard) as e:
        km.CardSession(NotACard()).status(None)
    assert "not a My Number Card" in e.value.user_message()


def test_tcp_to_nowhere_is_a_transport_error():
    with socket_closed_port() as port:
        pass
    with pytest.raises(km.MobileError.Transport) as e:
        km.CardSession.connect_tcp(f"127.0.0.1:{port}")
    assert "kazasu-sim serve --tcp" in e.value.user_message()


class socket_closed_port:
    def __enter__(self):
        import socket
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        return self.s.getsockname()[1]

    def __exit__(self, *exc):
        self.s.close()
