"""Unit tests of comprehend_import_model's pure core and its waiting loop (fake clients, no AWS)."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils.import_request import build_import_request
from ansible_collections.seed.comprehend.plugins.module_utils.import_request import refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils.importer import wait_until_trained

SOURCE = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"


def test_defaults_keep_the_source_name_and_no_version():
    request = build_import_request({"source_model_arn": SOURCE}, "us-west-2")
    assert request.parameters == {"SourceModelArn": SOURCE, "ModelName": "mycf1"}
    assert request.target_arn("444455556666") == "arn:aws:comprehend:us-west-2:444455556666:document-classifier/mycf1"


def test_all_options_become_import_parameters():
    request = build_import_request({
        "source_model_arn": SOURCE, "model_name": "copy", "version_name": "v2", "model_kms_key_id": "alias/mine",
        "data_access_role_arn": "arn:aws:iam::444455556666:role/import", "tags": {"team": "mlops", "empty": None},
    }, "us-west-2")
    assert request.parameters == {
        "SourceModelArn": SOURCE, "ModelName": "copy", "VersionName": "v2", "ModelKmsKeyId": "alias/mine",
        "DataAccessRoleArn": "arn:aws:iam::444455556666:role/import",
        "Tags": [{"Key": "team", "Value": "mlops"}, {"Key": "empty", "Value": ""}],
    }
    assert request.target_arn("444455556666").endswith(":444455556666:document-classifier/copy/version/v2")


@pytest.mark.parametrize("params, region, message", [
    ({"source_model_arn": SOURCE}, "eu-west-1", "only be imported in its own region"),
    ({"source_model_arn": "arn:aws:s3:::bucket"}, None, "source_model_arn"),
    ({"source_model_arn": SOURCE, "version_name": "v_2"}, None, "version_name"),
    ({"source_model_arn": SOURCE, "version_name": "v" * 64}, None, "version_name"),
    ({"source_model_arn": SOURCE, "model_name": "-bad"}, None, "model_name"),
    ({"source_model_arn": SOURCE, "data_access_role_arn": "arn:aws:iam::444455556666:user/jane"}, None, "data_access_role_arn"),
    ({"source_model_arn": SOURCE, "tags": {"": "x"}}, None, "tags"),
    ({"source_model_arn": SOURCE, "tags": {"k": "x" * 257}}, None, "tags"),
])
def test_bad_options_are_refused_naming_the_option(params, region, message):
    with pytest.raises(InvalidInputError, match=message):
        build_import_request(params, region)


def test_refusals_say_what_the_owner_must_do():
    request = build_import_request({"source_model_arn": SOURCE}, None)
    denied = refusal_message("AccessDeniedException", "no policy", request, "444455556666")
    kms = refusal_message("KmsKeyValidationException", "key", request, "444455556666")
    assert "share_model" in denied and "444455556666" in denied and "111122223333" in denied
    assert "key policy lacks the grant" in kms and "importer_role_policy" in kms
    assert refusal_message("ResourceInUseException", "", request, "444455556666").startswith("a model named mycf1")
    own = refusal_message("AccessDeniedException", "because no identity-based policy allows the comprehend:ImportModel action",
                          request, "444455556666")
    assert "its IAM policy must allow comprehend:ImportModel" in own and "iam:PassRole" in own and "share_model" not in own
    assert refusal_message("InternalServerException", "", request, "444455556666") is None


class FakeComprehend:
    """Answers DescribeDocumentClassifier with the given statuses, one per call."""

    def __init__(self, statuses):
        self.statuses = list(statuses)

    def describe_document_classifier(self, aws_retry, DocumentClassifierArn):  # pylint: disable=invalid-name,unused-argument
        return {"DocumentClassifierProperties": {"Status": self.statuses.pop(0), "Message": "bad data"}}


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


MODEL = parse_model_arn("arn:aws:comprehend:us-west-2:444455556666:document-classifier/mycf1")


def test_wait_polls_with_growing_delays_until_trained():
    clock = FakeClock()
    properties = wait_until_trained(FakeComprehend(["SUBMITTED", "TRAINING", "TRAINING", "TRAINED"]), MODEL, 60,
                                    sleep=clock.sleep, clock=lambda: clock.now)
    assert properties["Polls"] == ["SUBMITTED", "TRAINING", "TRAINING", "TRAINED"]
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_wait_fails_with_the_models_message_on_in_error():
    clock = FakeClock()
    with pytest.raises(OperationError, match="ended in IN_ERROR: bad data"):
        wait_until_trained(FakeComprehend(["TRAINING", "IN_ERROR"]), MODEL, 60, sleep=clock.sleep, clock=lambda: clock.now)


def test_wait_is_bounded_by_the_timeout():
    clock = FakeClock()
    with pytest.raises(OperationError, match="still TRAINING after 5 seconds"):
        wait_until_trained(FakeComprehend(["TRAINING"] * 10), MODEL, 5, sleep=clock.sleep, clock=lambda: clock.now)
    assert sum(clock.sleeps) <= 5


def test_own_key_id_must_be_ascii():
    with pytest.raises(InvalidInputError, match="model_kms_key_id: 'clé' is not a KMS key"):
        build_import_request({"source_model_arn": SOURCE, "model_kms_key_id": "clé"}, None)
