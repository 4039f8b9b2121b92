"""Unit tests run without the real pauses between contending writers (tests that check them pass their own sleep).

stub_client makes the AWS clients of unit tests: real boto3 clients under botocore's Stubber, which checks every request
and every answer against the service model, wrapped as retrying_client() wraps them so that aws_retry=True works."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.seed.comprehend.plugins.module_utils import converge
from ansible_collections.seed.comprehend.plugins.module_utils.aws import aws_retry


@pytest.fixture(autouse=True)
def no_contention_pauses(monkeypatch):
    monkeypatch.setattr(converge, "SETTLE_SECONDS", 0.0)
    monkeypatch.setattr(converge, "RETRY_BASE_SECONDS", 0.0)


@pytest.fixture(name="stub_client")
def fixture_stub_client(monkeypatch):
    """stub_client(service, retry=aws_retry) -> (client as modules get it, its active Stubber).

    Backoff sleeps are skipped; at teardown every Stubber must have given all the answers queued on it."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    stubbers = []

    def make(service, retry=aws_retry):
        client = boto3.client(service, region_name="us-west-2", aws_access_key_id="testing", aws_secret_access_key="testing")
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return RetryingBotoClientWrapper(client, retry), stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
