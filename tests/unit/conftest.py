"""Unit tests run without the real pauses between contending writers (tests that check them pass their own sleep)."""

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils import converge


@pytest.fixture(autouse=True)
def no_contention_pauses(monkeypatch):
    monkeypatch.setattr(converge, "SETTLE_SECONDS", 0.0)
    monkeypatch.setattr(converge, "RETRY_BASE_SECONDS", 0.0)
