# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Comprehend helpers with botocore's Stubber: every request is checked against the real
Comprehend service model, and the exact parameters are asserted. Then converge_models over in-memory stores."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.converge import StaleRevisionError
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_properties
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import DEFAULT_STATEMENT_ID
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import ResourcePolicyPlanner
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_requests
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import converge_models
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils.test_converge import MemoryStore
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import FOREIGN
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import GUIDE_POLICY
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import JANE
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import ROOT_1234
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import module_params
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import owned
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import policy_of

CLASSIFIER = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
RECOGNIZER = "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/rec1"
REVISION = "0123456789abcdef0123456789abcdef"
NEW_REVISION = "fedcba9876543210fedcba9876543210"
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
    "Principal": {"AWS": "arn:aws:iam::444455556666:user/jane"}}]}
POLICY_TEXT = json.dumps(POLICY)  # as Describe answers; a write sends render_policy(POLICY)


@pytest.fixture(name="stubbed")
def fixture_stubbed(stub_client):
    """(retrying client as modules get it, its Stubber); backoff sleeps are skipped."""
    return stub_client("comprehend")


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
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).read() == Stored(POLICY_TEXT, REVISION)


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
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": render_policy(POLICY)})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, None) == NEW_REVISION


def test_put_with_revision(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "ThrottlingException", "slow down", 400)
    stubber.add_response("put_resource_policy", {"PolicyRevisionId": NEW_REVISION},
                         {"ResourceArn": CLASSIFIER, "ResourcePolicy": render_policy(POLICY), "PolicyRevisionId": REVISION})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, REVISION) == NEW_REVISION


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
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, REVISION)


@pytest.mark.parametrize("message", ["The policy revision id does not match the current revision", "Invalid request", ""])
def test_invalid_request_is_stale_when_the_revision_moved_whatever_it_says(stubbed, message):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", message, 400)
    policy_at(stubber, NEW_REVISION)
    with pytest.raises(StaleRevisionError, match=REVISION):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, REVISION)


def test_invalid_request_is_stale_when_the_policy_is_gone(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("delete_resource_policy", "InvalidRequestException", "Invalid request", 400)
    no_policy(stubber)
    describe_classifier(stubber)
    with pytest.raises(StaleRevisionError):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(None, REVISION)


@pytest.mark.parametrize("message", ["Policy is malformed", "The policy revision id does not match"])
def test_invalid_request_on_the_current_revision_is_a_refusal_whatever_it_says(stubbed, message):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", message, 400)
    policy_at(stubber, REVISION)
    with pytest.raises(OperationError, match=(
            f"^Comprehend refused the resource policy of {CLASSIFIER} \\(InvalidRequestException: {message}\\)\\. "
            f"The policy is still at revision {REVISION}, the one the write named, so this is not a change by another "
            "writer")):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, REVISION)


def test_put_without_revision_is_never_stale(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "InvalidRequestException", "revision required", 400)
    with pytest.raises(ClientError):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, None)


def test_put_on_missing_model(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("put_resource_policy", "ResourceNotFoundException", "not found", 400)
    with pytest.raises(OperationError, match="does not exist"):
        ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(POLICY, None)


def test_delete_with_revision(stubbed):
    client, stubber = stubbed
    stubber.add_response("delete_resource_policy", {}, {"ResourceArn": CLASSIFIER, "PolicyRevisionId": REVISION})
    assert ModelPolicyStore(client, parse_model_arn(CLASSIFIER)).write(None, REVISION) is None


def test_converge_over_the_stubbed_api(stubbed):
    """The whole loop: no policy (model checked), create, a stale update, re-read, merged update."""
    client, stubber = stubbed
    request = build_requests(module_params(resource_arn=CLASSIFIER, principals=["arn:aws:iam::444455556666:user/jane"]))[0]
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
    assert converge(store, ResourcePolicyPlanner(request), sleep=lambda _seconds: None).revision_id == REVISION

    foreign = {"Sid": "Other", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
               "Principal": {"AWS": "123456789012"}}
    add = build_requests(module_params(resource_arn=CLASSIFIER, principals=["comprehend.amazonaws.com"], purge_principals=False))[0]
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
    outcome = converge(store, ResourcePolicyPlanner(add), sleep=lambda _seconds: None)
    assert outcome.changed and outcome.after == merged and outcome.revision_id == "1" * 32


# ---------------------------------------------------------------- several model versions (converge_models)

V1, V3 = CLASSIFIER.replace("/v2", "/v1"), CLASSIFIER.replace("/v2", "/v3")


def requests_for(*arns, **options):
    return build_requests(module_params(resource_arns=list(arns), **options))


class ModelStore(MemoryStore):
    """A MemoryStore standing for a ModelPolicyStore whose model is known to exist."""

    model_seen = True

    def read_policy(self):
        return self.read()


def test_converge_models_reads_once_then_converges_each():
    stores = [ModelStore(policy_of(FOREIGN)), ModelStore(GUIDE_POLICY), ModelStore()]
    outcomes = converge_models(stores, requests_for(V1, CLASSIFIER, V3, principals=["123456789012", JANE]), check_mode=False)
    assert [outcome.changed for outcome in outcomes] == [True, False, True]
    # One read each; "no policy" is read again right before the first write, then read back once it settled.
    assert [store.reads for store in stores] == [1, 1, 3]
    assert stores[0].document["Statement"][0] == FOREIGN and stores[1].writes == []


def test_converge_models_reads_no_policy_again_before_the_unconditional_first_write():
    """Another writer creates the policy after the task's first read: the first write must not be the unconditional
    one planned from that read (it would overwrite the other writer's policy), but one conditional on its revision."""
    theirs = policy_of(owned({"AWS": ROOT_1234}, sid="Theirs"))
    store = ModelStore()
    first_read = store.read

    def read_then_competitor_creates():
        stored = first_read()
        if store.reads == 1:
            store.compete(theirs)
        return stored

    store.read = read_then_competitor_creates
    converge_models([store], requests_for(V1, principals=[JANE]), check_mode=False)
    assert store.writes[0] == ("put", f"{1:032x}"), store.writes  # the revision the competitor created
    assert [statement["Sid"] for statement in store.document["Statement"]] == ["Theirs", DEFAULT_STATEMENT_ID]


def test_converge_models_in_check_mode_writes_nothing():
    stores = [ModelStore(), ModelStore()]
    outcomes = converge_models(stores, requests_for(V1, CLASSIFIER, principals=[JANE]), check_mode=True)
    assert all(outcome.changed for outcome in outcomes) and all(store.writes == [] for store in stores)


def missing_model():
    raise OperationError(f"the document-classifier {CLASSIFIER} does not exist, or this account can't see it",
                         resource_arn=CLASSIFIER)


def test_converge_models_writes_nothing_when_a_read_fails():
    stores = [ModelStore(), ModelStore()]
    stores[1].read = missing_model
    with pytest.raises(OperationError, match=r"^nothing was written: 1 of 2 resource policies could not be read: ") as error:
        converge_models(stores, requests_for(V1, CLASSIFIER, principals=[JANE]), check_mode=False)
    assert f"{CLASSIFIER}: the document-classifier {CLASSIFIER} does not exist" in str(error.value)
    assert stores[0].writes == []


def refused(_document, _revision_id):
    raise OperationError("refused by AWS", resource_arn=CLASSIFIER)


def test_converge_models_reports_what_was_done_when_one_write_fails():
    stores = [ModelStore(), ModelStore()]
    stores[1].write = refused
    with pytest.raises(OperationError) as error:
        converge_models(stores, requests_for(V1, CLASSIFIER, principals=[JANE]), check_mode=False)
    assert f"1 of 2 resource policies could not be converged ({CLASSIFIER}: refused by AWS)" in str(error.value)
    assert error.value.details["changed"] is True
    assert [item["resource_arn"] for item in error.value.details["resources"]] == [V1]


@pytest.mark.parametrize("failing, message", [
    ("read", f"the document-classifier {CLASSIFIER} does not exist, or this account can't see it"),
    ("write", "refused by AWS"),
])
def test_converge_models_of_one_version_raises_its_own_error(failing, message):
    """One model version (resource_arn): its failure as it is, with its own details, as in 0.1.0."""
    store = ModelStore()
    setattr(store, failing, missing_model if failing == "read" else refused)
    with pytest.raises(OperationError) as error:
        converge_models([store], build_requests(module_params(resource_arn=CLASSIFIER, principals=[JANE])), check_mode=False)
    assert str(error.value) == message
    assert error.value.details == {"resource_arn": CLASSIFIER}


def test_converge_models_writes_a_version_planned_without_policy_without_reading_it_first():
    stores = [ModelStore(), ModelStore()]
    converge_models(stores, requests_for(V1, CLASSIFIER, principals=[JANE]), check_mode=False, planned_without_policy={V1})
    assert stores[0].reads == 1 and stores[0].writes == [("put", None)], "the read-back only"
    assert stores[1].reads == 3, "read, read again as the first round starts, read back"
    assert all(store.document for store in stores)


def test_converge_models_checks_the_models_of_policies_read_as_none_at_once(stubbed):
    """Versions of one model read without a policy: one List call tells that they exist (the describe calls it saves),
    and a version the list doesn't show stops the task with nothing written."""
    client, stubber = stubbed
    for arn in (V1, CLASSIFIER, V3):
        no_policy(stubber, arn)
    stubber.add_response("list_document_classifiers", {"DocumentClassifierPropertiesList": [
        {"DocumentClassifierArn": V1, "Status": "TRAINED"}, {"DocumentClassifierArn": CLASSIFIER, "Status": "TRAINED"}]},
        {"Filter": {"DocumentClassifierName": "mycf1"}, "MaxResults": 500})
    stubber.add_client_error("describe_document_classifier", "ResourceNotFoundException", "not found", 400,
                             expected_params={"DocumentClassifierArn": V3})
    requests = requests_for(V1, CLASSIFIER, V3, principals=[JANE])
    with pytest.raises(OperationError, match=rf"^nothing was written: 1 of 3 resource policies could not be read: {V3}: the "):
        converge_models([ModelPolicyStore(client, request.model) for request in requests], requests, check_mode=False)


def models_of(*arns):
    return [parse_model_arn(arn) for arn in arns]


def test_model_properties_lists_the_versions_of_one_model(stubbed):
    client, stubber = stubbed
    stubber.add_response("list_document_classifiers", {"DocumentClassifierPropertiesList": [
        {"DocumentClassifierArn": V1, "Status": "TRAINED"}, {"DocumentClassifierArn": V3, "Status": "IN_ERROR"}]},
        {"Filter": {"DocumentClassifierName": "mycf1"}, "MaxResults": 500})
    assert model_properties(client, models_of(V1, V3)) == {
        V1: {"DocumentClassifierArn": V1, "Status": "TRAINED"}, V3: {"DocumentClassifierArn": V3, "Status": "IN_ERROR"}}


def test_model_properties_describes_a_lone_version_and_what_the_list_misses(stubbed):
    client, stubber = stubbed
    stubber.add_response("list_document_classifiers", {"DocumentClassifierPropertiesList": [
        {"DocumentClassifierArn": V1, "Status": "TRAINED"}]}, {"Filter": {"DocumentClassifierName": "mycf1"}, "MaxResults": 500})
    stubber.add_client_error("describe_document_classifier", "ResourceNotFoundException", "not found", 400,
                             expected_params={"DocumentClassifierArn": V3})
    assert model_properties(client, models_of(V1, V3)) == {V1: {"DocumentClassifierArn": V1, "Status": "TRAINED"}}
    lone = CLASSIFIER.replace("mycf1", "other")
    describe_classifier(stubber, lone)
    assert list(model_properties(client, models_of(lone))) == [lone], "no List call for a model named once"


def test_model_properties_describes_each_when_listing_is_denied(stubbed):
    """The operator policy of 0.1.0 allows Describe but not List: the same answer, one call per version."""
    client, stubber = stubbed
    stubber.add_client_error("list_document_classifiers", "AccessDeniedException", "not allowed", 400)
    for _arn in (V1, V3):  # two threads: either may ask first
        stubber.add_response("describe_document_classifier", {"DocumentClassifierProperties": {"Status": "TRAINED"}})
    assert sorted(model_properties(client, models_of(V1, V3))) == [V1, V3]


def test_model_properties_passes_other_errors_through(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("list_document_classifiers", "ValidationException", "bad filter", 400)
    with pytest.raises(ClientError, match="bad filter"):
        model_properties(client, models_of(V1, V3))
