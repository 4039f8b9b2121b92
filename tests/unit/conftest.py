"""Unit tests run without the real pauses between contending writers (tests that check them pass their own sleep)."""

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils import contention


@pytest.fixture(autouse=True)
def no_contention_pauses(monkeypatch):
    monkeypatch.setattr(contention, "SETTLE_SECONDS", 0.0)
    monkeypatch.setattr(contention, "RETRY_BASE_SECONDS", 0.0)
