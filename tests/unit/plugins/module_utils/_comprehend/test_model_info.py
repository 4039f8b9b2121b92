"""Unit tests of comprehend_model_info's result shaping (pure logic)."""

from __future__ import annotations

import botocore.session
import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import MODEL_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import NEVER_TRAINED_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import TRAINED_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import encryption_facts
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import model_facts
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import policy_facts
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored

KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL = parse_model_arn("arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2")


def test_statuses_are_the_service_models():
    enum = botocore.session.get_session().get_service_model("comprehend").shape_for("ModelStatus").enum
    assert list(MODEL_STATUSES) == enum
    assert set(TRAINED_STATUSES) | set(NEVER_TRAINED_STATUSES) <= set(MODEL_STATUSES)
    assert not set(TRAINED_STATUSES) & set(NEVER_TRAINED_STATUSES)


@pytest.mark.parametrize("status", MODEL_STATUSES)
def test_trained_says_whether_the_status_is_a_trained_one(status):
    facts = model_facts(MODEL, {"Status": status}, None)
    assert facts["status"] == status
    assert facts["trained"] is (status in ("TRAINED", "TRAINED_WITH_WARNING"))


def test_a_model_without_status_is_not_trained():
    assert model_facts(MODEL, {}, None)["trained"] is False


def test_no_key_id_means_aws_owned():
    assert encryption_facts(None, None) == {"key_type": "aws_owned", "kms_key_arn": None, "key_manager": None, "key_state": None}


def test_key_manager_decides_customer_or_aws_managed():
    customer = encryption_facts("1234abcd", {"Arn": KEY, "KeyManager": "CUSTOMER", "KeyState": "Enabled"})
    managed = encryption_facts("alias/aws/comprehend", {"Arn": KEY, "KeyManager": "AWS", "KeyState": "Enabled"})
    assert customer == {"key_type": "customer_managed", "kms_key_arn": KEY, "key_manager": "CUSTOMER", "key_state": "Enabled"}
    assert managed["key_type"] == "aws_managed"


def test_model_facts_of_an_imported_unversioned_model():
    model = parse_model_arn("arn:aws:comprehend:us-west-2:444455556666:entity-recognizer/people")
    facts = model_facts(model, {"Status": "TRAINED", "SourceModelArn": "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people"},
                        None)
    assert facts["version"] is None
    assert facts["account"] == "444455556666"
    assert facts["model_type"] == "entity_recognizer"
    assert facts["source_model_arn"].endswith(":111122223333:entity-recognizer/people")
    assert facts["resource_policy"] is None


def test_version_comes_from_describe_when_the_arn_has_none():
    model = parse_model_arn("arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1")
    assert model_facts(model, {"Status": "TRAINING", "VersionName": "v3"}, None)["version"] == "v3"


def test_policy_facts_parse_the_text_and_keep_the_revision():
    stored = Stored('{"Version": "2012-10-17", "Statement": []}', "ab" * 16)
    assert policy_facts(stored) == {"policy": {"Version": "2012-10-17", "Statement": []}, "revision_id": "ab" * 16}
    assert policy_facts(None) == {"policy": None, "revision_id": None}


def test_unparsable_policy_text_is_shown_as_stored():
    assert policy_facts(Stored("not json", "01"))["policy"] == "not json"
