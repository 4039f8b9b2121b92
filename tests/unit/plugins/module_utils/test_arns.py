# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared ARN parsing (plugins/module_utils/arns.py); principals are in test_principals.py."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_iam_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError

GUIDE_ARN = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"


def test_parse_versioned_classifier():
    model = parse_model_arn(GUIDE_ARN)
    assert (model.partition, model.region, model.account) == ("aws", "us-west-2", "111122223333")
    assert (model.resource_type, model.name, model.version) == ("document-classifier", "mycf1", "v2")
    assert model.model_type == "document_classifier"
    assert model.arn == GUIDE_ARN


@pytest.mark.parametrize("arn, partition, version", [
    ("arn:aws:comprehend:us-east-1:123456789012:entity-recognizer/my-recognizer", "aws", None),
    ("arn:aws-cn:comprehend:cn-north-1:123456789012:entity-recognizer/r1/version/1", "aws-cn", "1"),
    ("arn:aws-us-gov:comprehend:us-gov-west-1:123456789012:document-classifier/a--b/version/v-1", "aws-us-gov", "v-1"),
])
def test_parse_other_forms(arn, partition, version):
    model = parse_model_arn(arn)
    assert model.partition == partition
    assert model.version == version
    assert model.model_type in ("document_classifier", "entity_recognizer")


@pytest.mark.parametrize("value", [
    None, "", 42, ["x"],
    "arn:aws:s3:::bucket",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier-endpoint/ep1",
    "arn:aws:comprehend:us-west-2:111122223333:flywheel/f1",
    "arn:aws:comprehend:us-west-2:11112222333:document-classifier/mycf1",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/my_cf1",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/-mycf1",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2 ",
    "arn:gcp:comprehend:us-west-2:111122223333:document-classifier/mycf1",
    "arn:aws:comprehend:us-west-2:111122223333:document-classifier/" + "a" * 240,
])
def test_parse_refuses(value):
    with pytest.raises(InvalidInputError, match="resource_arn"):
        parse_model_arn(value)


def test_parse_names_the_option():
    with pytest.raises(InvalidInputError, match="^source_model_arn"):
        parse_model_arn("nope", option="source_model_arn")


@pytest.mark.parametrize("name", ["a", "v2", "a-b", "a--b", "A1", "x" * 63])
def test_check_name_accepts(name):
    assert check_name(name, "version_name") == name


@pytest.mark.parametrize("name", ["", "-a", "a-", "a_b", "a b", "x" * 64, "é"])
def test_check_name_refuses(name):
    with pytest.raises(InvalidInputError, match="version_name"):
        check_name(name, "version_name")


KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("region", ["", "US-WEST-2", "Us-west-2", "uswest2", "us_west_2", "-us-west-2"])
def test_model_arn_region_must_be_a_lower_case_region_name(region):
    with pytest.raises(InvalidInputError, match=f"^resource_arn: .* names the region {region!r}; a model ARN names its region in lower case"):
        parse_model_arn(GUIDE_ARN.replace("us-west-2", region))


@pytest.mark.parametrize("region", ["", "US-WEST-2", "eu-West-1", "euwest1"])
def test_key_arn_region_must_be_a_lower_case_region_name(region):
    with pytest.raises(InvalidInputError, match=f"^kms_key_arn: .* names the region {region!r}; a key ARN names its region in lower case"):
        check_key_arn(KEY_ARN.replace("us-west-2", region), "kms_key_arn")


@pytest.mark.parametrize("region", ["us-west-2", "cn-north-1", "us-gov-west-1", "ap-southeast-4", "eu-central-2"])
def test_region_names_accepted(region):
    assert parse_model_arn(GUIDE_ARN.replace("us-west-2", region)).region == region
    assert check_key_arn(KEY_ARN.replace("us-west-2", region), "kms_key_arn")


@pytest.mark.parametrize("value", ["arn:aws:s3:::bucket", GUIDE_ARN.replace("document-classifier", "flywheel")])
def test_other_mistakes_are_not_blamed_on_the_region(value):
    with pytest.raises(InvalidInputError, match="^resource_arn: .* is not a Comprehend custom model ARN; expected"):
        parse_model_arn(value)


@pytest.mark.parametrize("name", ["seed-comprehend-import", "a", "x" * 64, "role+=,.@_-9"])
def test_check_iam_name_accepts(name):
    assert check_iam_name(name, "import_model_role_name") == name


@pytest.mark.parametrize("name", ["", "x" * 65, "seed comprehend import!", "Rôle", "a/b", "a*", 5, None])
def test_check_iam_name_refuses_naming_the_option(name):
    with pytest.raises(InvalidInputError, match=r"^import_model_role_name: .* is not a valid IAM name"):
        check_iam_name(name, "import_model_role_name")
