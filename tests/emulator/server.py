"""The emulator server: moto plus the emulator's extensions, served over HTTP from a background thread.

Usage::

    with Emulator() as emulator:          # 127.0.0.1, a free port
        boto3.client("comprehend", endpoint_url=emulator.url, ...)
        emulator.client().calls()

moto keeps its state per process: run one Emulator per process (``python -m emulator`` serves one to others).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any, Optional, Type

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from ._app import EmulatorApp
from ._patches import install
from .client import EmulatorClient

install()

LOG = logging.getLogger(__name__)


class _RequestHandler(MotoRequestHandler):
    """moto's request handler, with the access log at debug level instead of a line per request on stderr."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        LOG.debug('"%s" %s %s', self.requestline, code, size)


class Emulator:
    """A moto server with the emulator's extensions, in a background thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.requested_port = port
        self.app = EmulatorApp(DomainDispatcherApplication(create_backend_app))
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The port the server listens on (a free one was picked when 0 was asked for)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The endpoint URL to give AWS clients and :class:`EmulatorClient`."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> "Emulator":
        """Bind the port and serve requests from a daemon thread; return self."""
        if self._server is not None:
            return self
        server = make_server(self.host, self.requested_port, self.app, threaded=True, request_handler=_RequestHandler)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"emulator-{server.server_address[1]}", daemon=True)
        self._server = server
        self._thread.start()
        LOG.debug("emulator serving on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent). moto's state stays: see reset()."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()  # serve_forever closes the socket on its way out
        if thread is not None:
            thread.join()

    def reset(self) -> None:
        """Clear moto's state, the call log, the fault configuration and the options."""
        self.app.reset()

    def client(self) -> EmulatorClient:
        """A control API client for this emulator."""
        return EmulatorClient(self.url)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], traceback: Optional[TracebackType]) -> None:
        self.stop()
