"""A local HTTP receiver for webhook tests (127.0.0.1, an ephemeral port; no other host is ever called)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """Records every POST (headers and body) and answers with the next queued status (default 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict, bytes | None]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                status, headers, answer = receiver.answers.pop(0) if receiver.answers else (200, {}, None)
                answer = answer if answer is not None else (b"ok" if status < 300 else b"nope")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                try:
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):  # the sender stopped reading, as it should
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: bytes | None = None, **headers):
        self.answers.append((status, headers, body))

    def wait_for(self, n: int, seconds: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + seconds
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.SAMTRYGG_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    settings.SAMTRYGG_WEBHOOK_IMMEDIATE = "off"  # tests send explicitly unless they test the kick
    settings.SAMTRYGG_WEBHOOK_TIMEOUT = 5
    r = Receiver()
    yield r
    r.close()
