"""Real servers on loopback for the monitoring tests: a news site with a feed, a webhook
receiver and an SMTP server (``aiosmtpd``). Every text served here was written for the tests."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any


@dataclass
class Site:
    """Pages by path; ``etag`` answers conditional GETs with 304; requests are logged."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass
class Hook:
    """Received POSTs; the first ``fail_first`` answer 500 (to exercise retries)."""

    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    fail_first: int = 0
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _serve(handler: type[http.server.BaseHTTPRequestHandler], port: int) -> Any:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server


@contextmanager
def news_site(port: int = 0) -> Iterator[Site]:
    """Serve ``site.pages`` on 127.0.0.1 (port 0: a free one, read back into ``site.port``)."""
    site = Site(port=port)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_GET(self) -> None:
            site.requests.append({"path": self.path, "headers": dict(self.headers)})
            if site.fail_next > 0:
                site.fail_next -= 1
                self.send_response(503)
                self.send_header("Retry-After", "120")
                self.end_headers()
                return
            page = site.pages.get(self.path)
            if page is None:
                self.send_response(404)
                self.end_headers()
                return
            etag = site.etags.get(self.path)
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            ctype, body = page
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    server = _serve(H, port)
    site.port = int(server.server_address[1])
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def webhook_receiver(port: int = 0) -> Iterator[Hook]:
    """Receive POSTs on 127.0.0.1 (port 0: a free one, read back into ``hook.port``)."""
    hook = Hook(port=port)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            hook.attempts += 1
            if hook.attempts <= hook.fail_first:
                self.send_response(500)
                self.end_headers()
                return
            hook.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

    server = _serve(H, port)
    hook.port = int(server.server_address[1])
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


class Mailbox(list[Message]):
    """Messages received, in order; ``address`` is the server's ``host:port``."""

    address: str = ""


def free_port() -> int:
    """A port nobody listens on now (bound and released: for servers that need a number)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(port: int = 0) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1:``port`` (0: a free one, see :func:`free_port`)."""
    from aiosmtpd.controller import Controller

    got = Mailbox()
    port = port or free_port()
    got.address = f"127.0.0.1:{port}"

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            msg = message_from_bytes(envelope.content)
            msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            got.append(msg)
            return "250 OK"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield got
    finally:
        ctl.stop()
