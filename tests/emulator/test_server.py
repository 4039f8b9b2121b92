"""The Emulator class, the control API's own behaviour and ``python -m emulator``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.client import EmulatorClient, EmulatorError
from emulator.server import Emulator
from emulator.testing import OWNER, Aws, error_code
from emulator._options import DEFAULT_OPTIONS

TESTS_DIR = Path(__file__).resolve().parents[1]


def test_reset_forgets_everything(emulator: Emulator, aws: Aws, control: EmulatorClient) -> None:
    arn = aws.create_classifier()
    control.set_faults(rate=1, operations=["kms:*"])
    control.set_options(missing_resource_policy="empty")
    emulator.reset()
    assert control.calls() == [] and control.faults()["rate"] == 0
    assert control.options() == DEFAULT_OPTIONS
    with pytest.raises(ClientError) as error:
        aws.client("comprehend").describe_document_classifier(DocumentClassifierArn=arn)
    assert error_code(error) == "ResourceNotFoundException"


def test_control_reset_forgets_everything(aws: Aws, control: EmulatorClient) -> None:
    aws.create_classifier(OWNER)
    control.reset()
    assert control.calls() == []
    fresh = Aws(aws.endpoint_url)  # the old credentials died with the reset
    assert fresh.client("comprehend", OWNER).list_document_classifiers()["DocumentClassifierPropertiesList"] == []


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "nothing", None, 404),
    ("GET", "reset", None, 405),
    ("POST", "faults", b"not json", 400),
    ("POST", "faults", b"[1]", 400),
    ("POST", "model-status", b'{"arn": 1}', 400),
    ("POST", "options", b'{"missing_resource_policy": "maybe"}', 400),
])
def test_control_api_errors(emulator: Emulator, method: str, path: str, body: bytes, status: int) -> None:
    request = urllib.request.Request(f"{emulator.url}/_emulator/{path}", data=body, method=method)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5)
    assert error.value.code == status


def test_a_second_emulator_starts_and_stops() -> None:
    with Emulator() as other:
        url = other.url
        assert other.running and EmulatorClient(url).health() == {"status": "ok"}
    assert not other.running
    other.stop()  # idempotent
    with pytest.raises(EmulatorError) as error:
        EmulatorClient(url, timeout=2).health()
    assert error.value.status == 0
    with pytest.raises(RuntimeError):
        assert other.url


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_command_line(tmp_path: Path, signum: int) -> None:
    ready_file = tmp_path / "emulator.url"
    environment = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--ready-file", str(ready_file)],
        env=environment, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        client = EmulatorClient.from_ready_file(ready_file, wait=30)
        assert client.url.startswith("http://127.0.0.1:")
        assert client.health() == {"status": "ok"}
        process.send_signal(signum)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert not ready_file.exists()
    assert b"emulator stopped" in err
