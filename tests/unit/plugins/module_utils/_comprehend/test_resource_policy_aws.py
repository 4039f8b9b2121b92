# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Comprehend helpers with botocore's Stubber: every request is checked against the real
Comprehend service model, and the exact parameters are asserted."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import aws_retry
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import StaleRevisionError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import StoredPolicy
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_request
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import converge

CLASSIFIER = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
RECOGNIZER = "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/rec1"
REVISION = "0123456789abcdef0123456789abcdef"
NEW_REVISION = "fedcba9876543210fedcba9876543210"
POLICY_TEXT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
    "Principal": {"AWS": "arn:aws:iam::444455556666:user/jane"}}]})


@pytest.fixture(name="stubbed")
def fixture_stubbed(monkeypatch):
    """(retrying client as modules get it, its Stubber); backoff sleeps are skipped."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    client = boto3.client("comprehend", region_name="us-west-2", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stubber:
        yield RetryingBotoClientWrapper(client, aws_retry), stubber
        stubber.assert_no_pending_responses()


def describe_classifier(stubber, arn=CLASSIFIER):
    stubber.add_response("describe_document_classifier",
                         {"DocumentClassifierProperties": {"DocumentClassifierArn": arn, "Status": "TRAINED"}},
                         {"DocumentClassifierArn": arn})


def no_policy(stubber, arn=CLASSIFIER):
    stubber.add_client_error("describe_resource_policy", "ResourceNotFoundException", "no policy", 400,
                             expected_params={"ResourceArn": arn})


def test_describe_classifier(stubbed):
    client, stubber = stubbed
    describe_classifier(stubber)
    assert describe_model(client, parse_model_arn(CLASSIFIER))["Status"] == "TRAINED"


def test_describe_recognizer(stubbed):
    client, stubber = stubbed
    stubber.add_response("describe_entity_recognizer",
                         {"EntityRecognizerProperties": {"EntityRecognizerArn": RECOGNIZER, "Status": "TRAINED"}},
                         {"EntityRecognizerArn": RECOGNIZER})
    assert describe_model(client, parse_model_arn(RECOGNIZER))["EntityRecognizerArn"] == RECOGNIZER


def test_describe_missing_model_names_the_arn(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("describe_entity_recognizer", "ResourceNotFoundException", "not found", 400)
    with pytest.raises(OperationError, match=f"the entity-recognizer {RECOGNIZER} does not exist") as caught:
        describe_model(client, parse_model_arn(RECOGNIZER))
    assert caught.value.details == {"resource_arn": RECOGNIZER}


def test_describe_retries_throttling(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("describe_document_classifier", "TooManyRequestsException", "slow down", 400)
    stubber.add_client_error("describe_document_classifier", "ThrottlingException", "slow down", 400)
    stubber.add_client_error("describe_document_classifier", "InternalServerException", "oops", 500)
    describe_classifier(stubber)
    assert describe_model(client, parse_model_arn(CLASSIFIER))["Status"] == "TRAINED"


def test_describe_other_errors_pass_through(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("describe_document_classifier", "AccessDeniedException", "no", 400)
    with pytest.raises(ClientError):
        describe_model(client, parse_model_arn(CLASSIFIER))


def test_read_policy(stubbed):
    client, stubber = stubbed
    stubber.add_response("describe_resource_policy", {"ResourcePolicy": POLICY_TEXT, "PolicyRevisionId": REVISION},
                         {"ResourceArn": CLASSIFIER})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).read() == StoredPolicy(POLICY_TEXT, REVISION)


def test_read_no_policy_as_not_found(stubbed):
    client, stubber = stubbed
    no_policy(stubber)
    describe_classifier(stubber)
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).read() is None


def test_read_checks_the_model_once(stubbed):
    client, stubber = stubbed
    no_policy(stubber)
    describe_classifier(stubber)
    no_policy(stubber)  # the second read trusts the first: no second DescribeDocumentClassifier
    store = ModelPolicyStore(client, parse_model_arn(CLASSIFIER))
    assert store.read() is None and store.read() is None


def test_read_trusts_a_model_the_caller_has_described(stubbed):
    client, stubber = stubbed
    no_policy(stubber)  # and no DescribeDocumentClassifier: comprehend_model_info has just described it
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER), model_seen=True).read() is None


def test_read_no_policy_as_empty_answer(stubbed):
    client, stubber = stubbed
    stubber.add_response("describe_resource_policy", {}, {"ResourceArn": RECOGNIZER})
    stubber.add_response("describe_entity_recognizer", {"EntityRecognizerProperties": {"Status": "TRAINED"}},
                         {"EntityRecognizerArn": RECOGNIZER})
    assert ModelPolicyStore(client, parse_model_arn(RECOGNIZER)).read() is None


@pytest.mark.parametrize("empty_answer", [True, False])
def test_read_missing_model(stubbed, empty_answer):
    client, stubber = stubbed
    if empty_answer:
        stubber.add_response("describe_resource_policy", {})
    else:
        no_policy(stubber)
    stubber.add_client_error("describe_document_classifier", "ResourceNotFoundException", "not found", 400)
    with pytest.raises(OperationError, match=f"{CLASSIFIER} does not exist"):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).read()


def test_read_other_errors_pass_through(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("describe_resource_policy", "InvalidRequestException", "bad", 400)
    with pytest.raises(ClientError):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).read()


def test_put_first_policy_without_revision(stubbed):
    client, stubber = stubbed
    stubber.add_response("put_resource_policy", {"PolicyRevisionId": NEW_REVISION},
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": POLICY_TEXT})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, None) == NEW_REVISION


def test_put_with_revision(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "ThrottlingException", "slow down", 400)
    stubber.add_response("put_resource_policy", {"PolicyRevisionId": NEW_REVISION},
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": POLICY_TEXT, "PolicyRevisionId": REVISION})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, REVISION) == NEW_REVISION


def policy_at(stubber, revision):
    stubber.add_response("describe_resource_policy", {"ResourcePolicy": POLICY_TEXT, "PolicyRevisionId": revision},
                         {"ResourceArn": CLASSIFIER})


@pytest.mark.parametrize("code, message", [
    ("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
    ("ConcurrentModificationException", "busy"),
    ("ResourceNotFoundException", "no policy"),  # deleted since it was read; the next read tells
])
def test_put_stale_revision_by_code(stubbed, code, message):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", code, message, 400)
    with pytest.raises(StaleRevisionError, match=REVISION):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, REVISION)


@pytest.mark.parametrize("message", ["The policy revision id does not match the current revision", "Invalid request", ""])
def test_invalid_request_is_stale_when_the_revision_moved_whatever_it_says(stubbed, message):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", message, 400)
    policy_at(stubber, NEW_REVISION)
    with pytest.raises(StaleRevisionError, match=REVISION):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, REVISION)


def test_invalid_request_is_stale_when_the_policy_is_gone(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("delete_resource_policy", "InvalidRequestException", "Invalid request", 400)
    no_policy(stubber)
    describe_classifier(stubber)
    with pytest.raises(StaleRevisionError):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).delete(REVISION)


@pytest.mark.parametrize("message", ["Policy is malformed", "The policy revision id does not match"])
def test_invalid_request_on_the_current_revision_is_a_refusal_whatever_it_says(stubbed, message):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", message, 400)
    policy_at(stubber, REVISION)
    with pytest.raises(OperationError, match=(
            f"^Comprehend refused the resource policy of {CLASSIFIER} \\(InvalidRequestException: {message}\\)\\. "
            f"The policy is still at revision {REVISION}, the one the write named, so this is not a change by another "
            "writer")):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, REVISION)


def test_put_without_revision_is_never_stale(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", "revision required", 400)
    with pytest.raises(ClientError):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, None)


def test_put_on_missing_model(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "ResourceNotFoundException", "not found", 400)
    with pytest.raises(OperationError, match="does not exist"):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).put(POLICY_TEXT, None)


def test_delete_with_revision(stubbed):
    client, stubber = stubbed
    stubber.add_response("delete_resource_policy", {}, {"ResourceArn": CLASSIFIER, "PolicyRevisionId": REVISION})
    ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).delete(REVISION)


def test_converge_over_the_stubbed_api(stubbed):
    """The whole loop: no policy (model checked), create, a stale update, re-read, merged update."""
    client, stubber = stubbed
    request = build_request({"resource_arn": CLASSIFIER, "principals": ["arn:aws:iam::444455556666:user/jane"]})
    no_policy(stubber)
    describe_classifier(stubber)
    stubber.add_response("put_resource_policy", {"PolicyRevisionId": REVISION},
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": (
                             '{"Version":"2012-10-17","Statement":[{"Sid":"ResourcePolicyForImportModel","Effect":"Allow",'
                             '"Principal":{"AWS":"arn:aws:iam::444455556666:user/jane"},"Action":"comprehend:ImportModel",'
                             '"Resource":"*"}]}')})
    # The first policy is written without a revision, so it is read back once it settled.
    stubber.add_response("describe_resource_policy", {"ResourcePolicy": POLICY_TEXT, "PolicyRevisionId": REVISION})
    store = ModelPolicyStore(client, request.model)
    assert converge(store, request, sleep=lambda _seconds: None).revision_id == REVISION

    foreign = {"Sid": "Other", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
               "Principal": {"AWS": "123456789012"}}
    add = build_request({"resource_arn": CLASSIFIER, "principals": ["comprehend.amazonaws.com"], "purge_principals": False})
    stubber.add_response("describe_resource_policy", {"ResourcePolicy": POLICY_TEXT, "PolicyRevisionId": REVISION})
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", "policy revision id mismatch", 400)
    policy_at(stubber, NEW_REVISION)  # the store checks whether the revision moved on
    competitor = json.loads(POLICY_TEXT)
    competitor["Statement"].append(foreign)
    stubber.add_response("describe_resource_policy", {"ResourcePolicy": json.dumps(competitor), "PolicyRevisionId": NEW_REVISION})
    merged = json.loads(POLICY_TEXT)
    merged["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::444455556666:user/jane", "Service": "comprehend.amazonaws.com"}
    merged["Statement"].append(foreign)
    stubber.add_response("put_resource_policy", {"PolicyRevisionId": "1" * 32},
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": json.dumps(merged, separators=(",", ":")),
                          "PolicyRevisionId": NEW_REVISION})
    outcome = converge(store, add, sleep=lambda _seconds: None)
    assert outcome.changed and outcome.after == merged and outcome.revision_id == "1" * 32
