"""An HTTP proxy in front of the emulator that can stop answering, to play "AWS went away" without losing state.

Stopping the emulator itself would lose moto's state (it lives in memory), so a rerun "after the emulator is back"
would find an empty AWS and prove nothing. The proxy stays between the client and the emulator instead:
``down_after("DescribeResourcePolicy")`` forwards requests until the answer to the first request for that operation
(the ``X-Amz-Target`` header of the JSON protocols) has been sent, then goes down: requests already on an open
connection get the connection closed without an answer, and the port stops listening, so new connections are
refused. Those are exactly what a client sees when an endpoint dies. ``come_back()`` listens on the same port again.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    endpoint: "OutageProxy"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _forward(self) -> None:
        endpoint = self.server.endpoint
        if endpoint.down:
            self.close_connection = True  # no answer at all: the client sees the connection drop
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        endpoint.forwarded.append(target.rsplit(".", 1)[-1] if target else self.path)
        upstream = http.client.HTTPConnection(endpoint.upstream_host, endpoint.upstream_port, timeout=60)
        try:
            headers = {key: value for key, value in self.headers.items() if key.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        if endpoint.trigger and target.endswith("." + endpoint.trigger):
            endpoint.go_down()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class OutageProxy:
    """Forward to ``upstream_url`` on 127.0.0.1, until told to go down."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self.port = 0
        self.down = False
        self.trigger: Optional[str] = None
        self.forwarded: List[str] = []
        self._server: Optional[_Server] = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OutageProxy":
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.endpoint = self
        self.port = server.server_address[1]
        self._server = server
        self.down = False
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def down_after(self, operation: str) -> None:
        """Go down right after answering the first request for ``operation``."""
        self.trigger = operation

    def go_down(self) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
            self.trigger = None
            server, self._server = self._server, None
        if server is not None:
            def close() -> None:
                server.shutdown()
                server.server_close()

            threading.Thread(target=close, daemon=True).start()

    def come_back(self) -> None:
        """Listen on the same port again, forwarding everything."""
        deadline = threading.Event()
        for _attempt in range(50):
            try:
                self.start()
                return
            except OSError:  # the old listener is still closing
                deadline.wait(0.1)
        raise RuntimeError(f"port {self.port} did not come free")

    def stop(self) -> None:
        self.go_down()
