"""Run the emulator until SIGTERM or SIGINT: ``PYTHONPATH=tests python -m emulator --port 0 --ready-file PATH``.

Once the server accepts requests, its URL (``http://127.0.0.1:PORT``) is written to the ready file, atomically, so a
reader never sees it half-written. The file is removed again on a clean shutdown.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import threading
from typing import Any, List, Optional

from .server import Emulator

LOG = logging.getLogger("emulator")


def _write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".emulator-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local AWS emulator (moto, extended) for seed.comprehend tests and demos.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind, 0 for a free one (default: %(default)s)")
    parser.add_argument("--ready-file", help="write the server URL to this file once it accepts requests")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        LOG.info("received signal %d, stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    with Emulator(args.host, args.port) as emulator:
        if args.ready_file:
            _write_atomically(args.ready_file, emulator.url + "\n")
        LOG.info("emulator listening on %s", emulator.url)
        try:
            while not stopping.wait(0.5):
                pass
        finally:
            if args.ready_file and os.path.exists(args.ready_file):
                os.unlink(args.ready_file)
    LOG.info("emulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
