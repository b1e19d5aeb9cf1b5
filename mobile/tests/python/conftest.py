"""Fixtures for the Python binding tests: the generated bindings, a simulated card served over TCP,
and a CardChannel written in Python that reaches it the way a phone's NFC stack would.

Run `scripts/build-mobile` and `cargo build --workspace --bins` first (the Rust test
`tests/tests/mobile_bindings.rs` does both), then `python3 -m pytest mobile/tests/python -q`.
"""

import os
import queue
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
if not TARGET.is_absolute():
    TARGET = ROOT / TARGET
BINDINGS = TARGET / "mobile-bindings" / "python"
SIM = TARGET / "debug" / "kazasu-sim"

AUTH_PIN = "4321"
SIGN_PIN = "TEST2026"
CARD_INFO_PIN = "8765"

if not (BINDINGS / "kazasu_mobile.py").exists():
    raise RuntimeError(f"no Python bindings in {BINDINGS}: run scripts/build-mobile first")
sys.path.insert(0, str(BINDINGS))

import kazasu_mobile as km  # noqa: E402


def run(*args, **kwargs):
    """Runs a command, failing the test with its output when it fails."""
    out = subprocess.run(list(map(str, args)), capture_output=True, text=True, **kwargs)
    if out.returncode != 0:
        raise AssertionError(f"{args} exited {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out.stdout


@pytest.fixture(scope="session")
def template_card(tmp_path_factory):
    """One card issued per test run (RSA key generation is the slow part), with its CA exported."""
    if not SIM.exists():
        raise RuntimeError(f"{SIM} is not built: run `cargo build --workspace --bins` first")
    d = tmp_path_factory.mktemp("template")
    run(SIM, "--card", d / "card.json", "new", "--auth-pin", AUTH_PIN, "--sign-pin", SIGN_PIN,
        "--card-info-pin", CARD_INFO_PIN)
    run(SIM, "--card", d / "card.json", "office", "export-trust", d / "trust")
    return d


@pytest.fixture
def card_dir(template_card, tmp_path):
    """A private copy of the template card: full tries on every PIN."""
    d = tmp_path / "card"
    shutil.copytree(template_card, d)
    return d


class Served:
    """`kazasu-sim serve --tcp 127.0.0.1:0 --latency card` with its control input (`remove`, `insert`,
    `tear verify`): the card takes a real card's time to answer (about a second per signature)."""

    def __init__(self, card_dir):
        self.card = card_dir / "card.json"
        self.log = open(card_dir / "serve.log", "w")
        self.proc = subprocess.Popen(
            [str(SIM), "--card", str(self.card), "serve", "--tcp", "127.0.0.1:0", "--latency", "card"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            env={**os.environ, "KAZASU_LOG": "info"},
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.address = None
        while True:
            line = self._next("the server to start")
            if line.startswith("tcp: listening on "):
                self.address = line.removeprefix("tcp: listening on ")
            elif line.startswith("ready:"):
                break

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _next(self, waiting_for):
        try:
            return self.lines.get(timeout=20)
        except queue.Empty:
            raise AssertionError(f"no answer from kazasu-sim serve while waiting for {waiting_for}")

    def control(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self._next(command)
        assert answer.startswith("ok:"), f"{command}: {answer}"
        return answer

    def state(self):
        """The card as `kazasu-sim show` prints it (PINs and tries left included)."""
        return run(SIM, "--card", self.card, "show")

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


@pytest.fixture
def served(card_dir):
    s = Served(card_dir)
    yield s
    s.stop()


class SocketChannel(km.CardChannel):
    """A CardChannel in Python: the framing of the core's TCP link (2-byte big-endian length, then
    the payload; one-byte payloads are control codes), as a phone's NFC bridge would be written.

    Keeps every APDU it was asked to send in `sent`.
    """

    GET_ATR = 0x04
    RESET = 0x02

    def __init__(self, address, timeout=10.0):
        host, port = address.rsplit(":", 1)
        self.timeout = timeout
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sent = []
        try:
            self.atr = self._request(bytes([self.GET_ATR]))
        except EOFError:
            raise km.MobileError.NoCard()
        self._send(bytes([self.RESET]))

    def _send(self, payload):
        self.sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _request(self, payload):
        self._send(payload)
        (length,) = struct.unpack(">H", self._recv_exact(2))
        return self._recv_exact(length)

    def transceive(self, apdu):
        self.sent.append(bytes(apdu))
        try:
            return self._request(bytes(apdu))
        except socket.timeout:
            raise km.MobileError.Timeout(int(self.timeout * 1000))
        except (EOFError, ConnectionError):
            raise km.MobileError.CardRemoved()

    def close(self):
        self.sock.close()


class Link:
    """A session under test, with the channel it runs over (None for the library's own TCP link)."""

    def __init__(self, kind, served):
        self.kind = kind
        self.served = served
        if kind == "tcp":
            self.channel = None
            self.session = km.CardSession.connect_tcp(served.address)
        else:
            self.channel = SocketChannel(served.address)
            self.session = km.CardSession(self.channel)

    def close(self):
        if self.channel is not None:
            self.channel.close()
        self.session = None


@pytest.fixture(params=["tcp", "python_channel"])
def link(request, served):
    """A CardSession on the served card: through the library's own TCP link, or through
    SocketChannel, a CardChannel implemented in Python (the foreign-trait path)."""
    link = Link(request.param, served)
    yield link
    link.close()
