#!/usr/bin/env python3
"""An RFC 3161 time-stamping authority over HTTP (RFC 3161 section 3.4) for Kazasu's tests.

Each POSTed application/timestamp-query is answered by OpenSSL's own TSA, `openssl ts -reply
-config CONFIG`, whose response goes back as application/timestamp-reply. Only the HTTP front
is here; the TSA is OpenSSL's.

Usage: tsa_server.py CONFIG   (prints "listening on PORT" once it accepts requests)
"""
import http.server
import os
import subprocess
import sys
import tempfile

# A timestamp query is about 60 bytes; anything much larger is not one.
MAX_QUERY = 64 * 1024
# How long OpenSSL may take to answer one query.
OPENSSL_TIMEOUT = 30


class Handler(http.server.BaseHTTPRequestHandler):
    config = None

    def answer(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.answer(415, "text/plain", b"not application/timestamp-query\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_QUERY:
            self.answer(413, "text/plain", b"bad query length\n")
            return
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as work:
            query_file = os.path.join(work, "query.tsq")
            reply_file = os.path.join(work, "reply.tsr")
            with open(query_file, "wb") as f:
                f.write(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", self.config,
                 "-queryfile", query_file, "-out", reply_file],
                capture_output=True, timeout=OPENSSL_TIMEOUT,
            )
            sys.stderr.write(done.stderr.decode(errors="replace"))
            if done.returncode != 0 or not os.path.exists(reply_file):
                self.answer(500, "text/plain", b"openssl ts -reply failed\n")
                return
            with open(reply_file, "rb") as f:
                reply = f.read()
        self.answer(200, "application/timestamp-reply", reply)


def main():
    Handler.config = sys.argv[1]
    # One request at a time: OpenSSL's TSA keeps its serial number in a file.
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
