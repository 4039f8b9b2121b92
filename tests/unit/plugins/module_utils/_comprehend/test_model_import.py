"""Unit tests of comprehend_import_model's pure core, its waiting loop and its KMS-validation retry (Comprehend and IAM
clients under botocore's Stubber: every request and answer is checked against the service model; a fake clock)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import RoleCheck
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import build_import_request
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import check_own_key_account
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import kms_refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import missing_key_permissions
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import_aws import pauses
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import_aws import reconcile_tags
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import_aws import start_import
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import_aws import wait_until_trained
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import NEVER_TRAINED_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import TRAINED_STATUSES

SOURCE = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
SOURCE_KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OWN_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
OWN_KEY = f"arn:aws:kms:us-west-2:444455556666:key/{OWN_KEY_ID}"
ROLE = "arn:aws:iam::444455556666:role/seed-comprehend-import"


def test_defaults_keep_the_source_name_and_no_version():
    request = build_import_request({"source_model_arn": SOURCE}, "us-west-2")
    assert request.parameters == {"SourceModelArn": SOURCE, "ModelName": "mycf1"}
    assert request.target_arn("444455556666") is None, "AWS doesn't document the ARN of a copy without a version"


def test_all_options_become_import_parameters():
    request = build_import_request({
        "source_model_arn": SOURCE, "model_name": "copy", "version_name": "v2", "model_kms_key_id": OWN_KEY_ID,
        "data_access_role_arn": "arn:aws:iam::444455556666:role/import", "tags": {"team": "mlops", "empty": None},
    }, "us-west-2")
    assert request.parameters == {
        "SourceModelArn": SOURCE, "ModelName": "copy", "VersionName": "v2", "ModelKmsKeyId": OWN_KEY_ID,
        "DataAccessRoleArn": "arn:aws:iam::444455556666:role/import",
        "Tags": [{"Key": "team", "Value": "mlops"}, {"Key": "empty", "Value": ""}],
    }
    assert (request.tags, request.purge_tags) == ({"team": "mlops", "empty": ""}, True)
    assert request.target_arn("444455556666") == "arn:aws:comprehend:us-west-2:444455556666:document-classifier/copy/version/v2"
    assert request.key_arns("444455556666") == [f"arn:aws:kms:us-west-2:444455556666:key/{OWN_KEY_ID}"]


@pytest.mark.parametrize("params, region, message", [
    ({"source_model_arn": SOURCE}, "eu-west-1", "only be imported in its own region"),
    ({"source_model_arn": "arn:aws:s3:::bucket"}, None, "source_model_arn"),
    ({"source_model_arn": SOURCE, "version_name": "v_2"}, None, "version_name"),
    ({"source_model_arn": SOURCE, "version_name": "v" * 64}, None, "version_name"),
    ({"source_model_arn": SOURCE, "model_name": "-bad"}, None, "model_name"),
    ({"source_model_arn": SOURCE, "data_access_role_arn": "arn:aws:iam::444455556666:user/jane"}, None, "data_access_role_arn"),
    ({"source_model_arn": SOURCE, "data_access_role_arn": "arn:aws:iam::444455556666:role/Rôle"}, None, "by IAM's naming rules"),
    ({"source_model_arn": SOURCE, "data_access_role_arn": "arn:aws:iam::444455556666:role/a*/x"}, None, "by IAM's naming rules"),
    ({"source_model_arn": SOURCE, "tags": {"": "x"}}, None, "tags"),
    ({"source_model_arn": SOURCE, "tags": {"k": "x" * 257}}, None, "tags"),
    ({"source_model_arn": SOURCE, "tags": {f"k{index}": "" for index in range(51)}}, None, "tags: 51 tags given, but a Comprehend model holds at most 50"),
    ({"source_model_arn": SOURCE, "model_kms_key_id": "alias/mine"}, None, "model_kms_key_id: 'alias/mine' is an alias"),
    ({"source_model_arn": SOURCE, "model_kms_key_id": "arn:aws:kms:us-west-2:444455556666:alias/mine"}, None, "is an alias"),
    ({"source_model_arn": SOURCE, "model_kms_key_id": OWN_KEY.replace("us-west-2", "eu-west-1")}, None,
     "is in region eu-west-1, but the copy is made in us-west-2"),
    ({"source_model_arn": SOURCE, "model_kms_key_id": "clé"}, None, "model_kms_key_id: 'clé' is neither a KMS key ID"),
    ({"source_model_arn": SOURCE, "source_kms_key_arn": "alias/theirs"}, None, "source_kms_key_arn: 'alias/theirs' is not a KMS key ARN"),
    ({"source_model_arn": SOURCE, "source_kms_key_arn": OWN_KEY}, None, "not in the source model's account 111122223333"),
    ({"source_model_arn": SOURCE, "poll_delay": 0}, None, "poll_delay must be at least 1 seconds"),
    ({"source_model_arn": SOURCE, "kms_validation_retry_timeout": -1}, None, "kms_validation_retry_timeout must be at least 0"),
])
def test_bad_options_are_refused_naming_the_option(params, region, message):
    with pytest.raises(InvalidInputError, match=message):
        build_import_request(params, region)


def test_refusals_say_what_the_owner_must_do():
    request = build_import_request({"source_model_arn": SOURCE}, None)
    denied = refusal_message("AccessDeniedException", "no policy", request, "444455556666")
    assert "share_model" in denied and "444455556666" in denied and "111122223333" in denied
    assert refusal_message("KmsKeyValidationException", "key", request, "444455556666") is None  # see kms_refusal_message
    assert refusal_message("ResourceInUseException", "", request, "444455556666").startswith("a model named mycf1")
    own = refusal_message("AccessDeniedException", "because no identity-based policy allows the comprehend:ImportModel action",
                          request, "444455556666")
    assert "its IAM policy must allow comprehend:ImportModel" in own and "iam:PassRole" in own and "share_model" not in own
    assert refusal_message("InternalServerException", "", request, "444455556666") is None


def expect_statuses(stubber, statuses, model_arn):
    """DescribeDocumentClassifier of model_arn answers the given statuses, one per call."""
    for status in statuses:
        stubber.add_response("describe_document_classifier",
                             {"DocumentClassifierProperties": {"DocumentClassifierArn": model_arn, "Status": status,
                                                               "Message": "bad data"}},
                             {"DocumentClassifierArn": model_arn})


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


MODEL = parse_model_arn("arn:aws:comprehend:us-west-2:444455556666:document-classifier/mycf1")


@pytest.fixture(name="comprehend")
def fixture_comprehend(stub_client):
    """(Comprehend client as modules get it, its Stubber)."""
    return stub_client("comprehend")


def test_wait_polls_with_growing_delays_until_trained(comprehend):
    client, stubber = comprehend
    clock = FakeClock()
    expect_statuses(stubber, ["SUBMITTED", "TRAINING", "TRAINING", "TRAINED"], MODEL.arn)
    properties = wait_until_trained(client, MODEL, 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert properties["Polls"] == ["SUBMITTED", "TRAINING", "TRAINING", "TRAINED"]
    assert clock.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", NEVER_TRAINED_STATUSES)
def test_wait_fails_at_once_with_the_models_message_on_a_status_never_trained(comprehend, status):
    client, stubber = comprehend
    clock = FakeClock()
    expect_statuses(stubber, ["TRAINING", status], MODEL.arn)
    with pytest.raises(OperationError, match=f"ended in {status}: bad data"):
        wait_until_trained(client, MODEL, 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("trained", TRAINED_STATUSES)
def test_a_stop_request_is_waited_out_since_training_may_still_complete(comprehend, trained):
    client, stubber = comprehend
    clock = FakeClock()
    expect_statuses(stubber, ["STOP_REQUESTED", trained], MODEL.arn)
    properties = wait_until_trained(client, MODEL, 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert properties["Polls"] == ["STOP_REQUESTED", trained]


def test_wait_is_bounded_by_the_timeout(comprehend):
    client, stubber = comprehend
    clock = FakeClock()
    expect_statuses(stubber, ["TRAINING"] * 3, MODEL.arn)  # at 0, 1 and 3 seconds; the next pause would end after 5
    with pytest.raises(OperationError, match="still TRAINING after 5 seconds"):
        wait_until_trained(client, MODEL, 5, sleep=clock.sleep, clock=lambda: clock.now)
    assert sum(clock.sleeps) <= 5


def test_wait_pauses_are_capped_by_poll_delay(comprehend):
    client, stubber = comprehend
    clock = FakeClock()
    expect_statuses(stubber, ["TRAINING"] * 4 + ["TRAINED"], MODEL.arn)
    wait_until_trained(client, MODEL, 60, longest=2, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.sleeps == [1.0, 2.0, 2.0, 2.0]


def test_own_key_of_another_account_is_refused_once_the_account_is_known():
    request = build_import_request({"source_model_arn": SOURCE, "model_kms_key_id": SOURCE_KEY}, None)
    with pytest.raises(InvalidInputError, match="is a key of account 111122223333, but the copy is made in account 444455556666"):
        check_own_key_account(request, "444455556666")
    check_own_key_account(build_import_request({"source_model_arn": SOURCE, "model_kms_key_id": OWN_KEY}, None), "444455556666")


KEY_ACTIONS = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize("documents, missing", [
    ([policy({"Effect": "Allow", "Action": KEY_ACTIONS, "Resource": [SOURCE_KEY]})], {}),
    ([policy({"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:*:111122223333:key/*"})], {}),
    ([policy({"Effect": "Allow", "Action": "*", "Resource": "*"})], {}),
    # AWS's example: Decrypt and GenerateDataKey under kms:ViaService (conditions are not evaluated).
    ([policy({"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": SOURCE_KEY},
             {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDatakey"], "Resource": SOURCE_KEY,
              "Condition": {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}})], {}),
    # Inline and attached policies add up; JSON text is read too.
    ([policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": SOURCE_KEY}),
      '{"Statement": {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:CreateGrant"], "Resource": "*"}}'], {}),
    ([policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": SOURCE_KEY})],
     {SOURCE_KEY: ["kms:CreateGrant", "kms:GenerateDataKey"]}),
    ([policy({"Effect": "Allow", "Action": KEY_ACTIONS, "Resource": "arn:aws:kms:us-west-2:111122223333:key/other"})],
     {SOURCE_KEY: KEY_ACTIONS}),
    ([policy({"Effect": "Allow", "Action": KEY_ACTIONS, "Resource": "*"},
             {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": SOURCE_KEY})], {SOURCE_KEY: ["kms:Decrypt"]}),
    ([policy({"Effect": "Allow", "NotAction": "kms:CreateGrant", "Resource": "*"})], {SOURCE_KEY: ["kms:CreateGrant"]}),
    ([policy({"Effect": "Allow", "Action": KEY_ACTIONS, "NotResource": SOURCE_KEY})], {SOURCE_KEY: KEY_ACTIONS}),
    ([], {SOURCE_KEY: KEY_ACTIONS}),
])
def test_missing_key_permissions_reads_iam_policies(documents, missing):
    assert missing_key_permissions(documents, [SOURCE_KEY]) == missing


def kms_request(**options):
    return build_import_request(dict({"source_model_arn": SOURCE, "source_kms_key_arn": SOURCE_KEY,
                                      "data_access_role_arn": ROLE}, **options), None)


def test_kms_refusals_are_told_apart():
    request = kms_request()
    lacking = kms_refusal_message(request, "444455556666", "denied", RoleCheck(missing={SOURCE_KEY: ["kms:Decrypt"]}), 0)
    assert f"the service role {ROLE} lacks, in its own IAM policies, kms:Decrypt on {SOURCE_KEY}" in lacking
    owner = kms_refusal_message(request, "444455556666", "denied", RoleCheck(), 62)
    assert "for 62 seconds: the service role's own policies allow the keys, so the owner's key policy of" in owner
    assert "doesn't let your service role" in owner and "propagated" not in owner
    fresh = kms_refusal_message(request, "444455556666", "denied", RoleCheck(), 0)
    assert "either IAM hasn't propagated the service role yet" in fresh and "the owner's key policy" in fresh
    unchecked = kms_refusal_message(request, "444455556666", "denied", RoleCheck(unchecked="AccessDenied"), 0)
    assert "couldn't read the service role's own policies (AccessDenied)" in unchecked
    gone = kms_refusal_message(request, "444455556666", "denied", RoleCheck(exists=False), 0)
    assert f"the service role {ROLE} doesn't exist in account 444455556666" in gone
    no_role = kms_refusal_message(kms_request(data_access_role_arn=None), "444455556666", "denied", RoleCheck(), 0)
    assert "needs data_access_role_arn" in no_role


ROLE_NAME = ROLE.rsplit("/", 1)[-1]
IMPORT_PARAMETERS = {"SourceModelArn": SOURCE, "ModelName": "mycf1", "DataAccessRoleArn": ROLE}
COPY = "arn:aws:comprehend:us-west-2:444455556666:document-classifier/mycf1"
GOOD_ROLE_POLICY = policy({"Effect": "Allow", "Action": KEY_ACTIONS, "Resource": SOURCE_KEY})


@pytest.fixture(name="clients")
def fixture_clients(stub_client):
    """(Comprehend client, its Stubber, IAM client, its Stubber), as modules get them."""
    return stub_client("comprehend") + stub_client("iam")


def expect_kms_refusals(stubber, count):
    for _attempt in range(count):
        stubber.add_client_error("import_model", "KmsKeyValidationException", "key refused", 400,
                                 expected_params=IMPORT_PARAMETERS)


def expect_import(stubber):
    stubber.add_response("import_model", {"ModelArn": COPY}, IMPORT_PARAMETERS)


def expect_role(stubber, document=None):
    """The reads of check_role, in order: the role, its inline policy (if any) and attached policies (none)."""
    stubber.add_response("get_role", {"Role": {
        "Path": "/", "RoleName": ROLE_NAME, "RoleId": "AROAEXAMPLEROLEID1234", "Arn": ROLE,
        "CreateDate": datetime(2026, 1, 1, tzinfo=timezone.utc)}}, {"RoleName": ROLE_NAME})
    stubber.add_response("list_role_policies", {"PolicyNames": ["keys"] if document else [], "IsTruncated": False},
                         {"RoleName": ROLE_NAME})
    if document:
        # IAM answers the document URL-encoded; botocore decodes it into a dict.
        stubber.add_response("get_role_policy", {"RoleName": ROLE_NAME, "PolicyName": "keys",
                                                 "PolicyDocument": quote(json.dumps(document))},
                             {"RoleName": ROLE_NAME, "PolicyName": "keys"})
    stubber.add_response("list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False}, {"RoleName": ROLE_NAME})


def test_kms_validation_is_retried_while_iam_propagates_then_succeeds(clients):
    comprehend, comprehend_stub, iam, iam_stub = clients
    clock = FakeClock()
    expect_kms_refusals(comprehend_stub, 2)
    expect_import(comprehend_stub)
    expect_role(iam_stub, GOOD_ROLE_POLICY)  # read once, at the first refusal
    arn = start_import(comprehend, iam, kms_request(), "444455556666", 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert arn == COPY and clock.sleeps == [2.0, 4.0]  # three ImportModel calls: the Stubber answered each queued once


def test_kms_validation_retry_is_bounded_then_blames_the_owners_key_policy(clients):
    comprehend, comprehend_stub, iam, iam_stub = clients
    clock = FakeClock()
    expect_kms_refusals(comprehend_stub, 7)  # at 0, 2, 6, 14, 29, 44 and 59 seconds
    expect_role(iam_stub, GOOD_ROLE_POLICY)
    with pytest.raises(OperationError, match="for 5[0-9] seconds: the service role's own policies allow the keys, so the owner"):
        start_import(comprehend, iam, kms_request(), "444455556666", 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert sum(clock.sleeps) <= 60 and max(clock.sleeps) == 15.0


def test_a_role_lacking_the_key_fails_at_once_without_retrying(clients):
    comprehend, comprehend_stub, iam, iam_stub = clients
    clock = FakeClock()
    expect_kms_refusals(comprehend_stub, 1)
    expect_role(iam_stub, policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": SOURCE_KEY}))
    with pytest.raises(OperationError, match="lacks, in its own IAM policies, kms:CreateGrant, kms:GenerateDataKey on"):
        start_import(comprehend, iam, kms_request(), "444455556666", 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.sleeps == []  # one ImportModel call: a second would find no answer queued


def test_a_missing_role_fails_at_once_without_retrying(clients):
    comprehend, comprehend_stub, iam, iam_stub = clients
    clock = FakeClock()
    expect_kms_refusals(comprehend_stub, 1)
    iam_stub.add_client_error("get_role", "NoSuchEntity", "no such role", 404, expected_params={"RoleName": ROLE_NAME})
    with pytest.raises(OperationError, match=f"the service role {ROLE} doesn't exist in account 444455556666"):
        start_import(comprehend, iam, kms_request(), "444455556666", 60, sleep=clock.sleep, clock=lambda: clock.now)
    assert clock.sleeps == []


def test_refused_role_reads_say_the_module_could_not_check(clients):
    comprehend, comprehend_stub, iam, iam_stub = clients
    expect_kms_refusals(comprehend_stub, 1)
    iam_stub.add_client_error("get_role", "AccessDenied", "no", 403, expected_params={"RoleName": ROLE_NAME})
    with pytest.raises(OperationError, match="couldn't read the service role's own policies .*AccessDenied"):
        start_import(comprehend, iam, kms_request(), "444455556666", 0)


def test_without_the_source_key_the_role_is_not_read(clients):
    comprehend, comprehend_stub, iam = clients[:3]  # nothing is queued for IAM: any read would fail
    expect_kms_refusals(comprehend_stub, 1)
    with pytest.raises(OperationError, match="source_kms_key_arn is not set"):
        start_import(comprehend, iam, kms_request(source_kms_key_arn=None), "444455556666", 0)


def test_bounded_backoff_pauses_end_before_the_timeout():
    clock = FakeClock()
    for pause in pauses(60, 2, 15, lambda: clock.now):
        clock.sleep(pause)
    assert clock.sleeps == [2, 4, 8, 15, 15, 15] and clock.now == 59
    assert list(pauses(1, 2, 15, lambda: clock.now)) == []


COPY = "arn:aws:comprehend:us-west-2:444455556666:document-classifier/copy/version/v2"


def tagged_request(tags, purge_tags=True):
    return build_import_request({"source_model_arn": SOURCE, "model_name": "copy", "version_name": "v2", "tags": tags,
                                 "purge_tags": purge_tags}, "us-west-2")


def expect_tags(stubber, tags):
    stubber.add_response("list_tags_for_resource", {"ResourceArn": COPY, "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]},
                         {"ResourceArn": COPY})


def test_tags_are_set_changed_and_purged_but_aws_tags_kept(comprehend):
    client, stubber = comprehend
    expect_tags(stubber, {"team": "a", "old": "x", "aws:cloudformation:stack-name": "s"})
    stubber.add_response("untag_resource", {}, {"ResourceArn": COPY, "TagKeys": ["old"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": COPY, "Tags": [{"Key": "team", "Value": "b"}]})
    change = reconcile_tags(client, COPY, tagged_request({"team": "b"}), check_mode=False)
    assert (change.before, change.after, change.changed) == (
        {"team": "a", "old": "x", "aws:cloudformation:stack-name": "s"}, {"team": "b", "aws:cloudformation:stack-name": "s"}, True)


def test_check_mode_reports_tags_without_writing_and_purge_false_keeps_the_others(comprehend):
    client, stubber = comprehend
    expect_tags(stubber, {"team": "a", "old": "x"})
    checked = reconcile_tags(client, COPY, tagged_request({"team": "b"}), check_mode=True)
    assert (checked.after, checked.changed) == ({"team": "b"}, True), "reported, not written (no Tag/Untag queued)"
    expect_tags(stubber, {"team": "a", "old": "x"})
    kept = reconcile_tags(client, COPY, tagged_request({"team": "a"}, purge_tags=False), check_mode=False)
    assert (kept.after, kept.changed) == ({"team": "a", "old": "x"}, False)


def test_without_the_tags_option_tags_are_not_read(comprehend):
    client, _stubber = comprehend
    assert not reconcile_tags(client, COPY, tagged_request(None), check_mode=False).changed
