"""Fixtures of the emulator's own tests: one Emulator for the session, a clean state for every test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

# The package is ``emulator`` under tests/: make it importable whatever pytest's import mode.
TESTS_DIR = str(Path(__file__).resolve().parents[1])
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from emulator.client import EmulatorClient  # noqa: E402
from emulator.server import Emulator  # noqa: E402
from emulator.testing import Aws  # noqa: E402


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture(autouse=True)
def clean_emulator(emulator: Emulator) -> None:
    """Every test starts from an empty emulator: no AWS state, no calls, no faults."""
    emulator.reset()


@pytest.fixture
def control(emulator: Emulator) -> EmulatorClient:
    return emulator.client()


@pytest.fixture
def aws(emulator: Emulator) -> Aws:
    return Aws(emulator.url)


FAST_IAM_SECONDS = 0.3


@pytest.fixture
def fast_iam(control: EmulatorClient) -> float:
    """A short IAM propagation delay, so that tests wait it out quickly (``aws.wait_for_iam()``)."""
    control.set_options(iam_propagation_seconds=FAST_IAM_SECONDS)
    return FAST_IAM_SECONDS
