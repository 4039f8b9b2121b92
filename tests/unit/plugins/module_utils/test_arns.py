# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared ARN and principal parsing (plugins/module_utils/arns.py)."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import normalise_principal
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import principal_account
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


@pytest.mark.parametrize("value, partition, expected", [
    ("123456789012", "aws", ("AWS", "arn:aws:iam::123456789012:root")),
    (" 123456789012 ", "aws-cn", ("AWS", "arn:aws-cn:iam::123456789012:root")),
    ("arn:aws:iam::123456789012:root", "aws", ("AWS", "arn:aws:iam::123456789012:root")),
    ("arn:aws:iam::444455556666:user/jane", "aws", ("AWS", "arn:aws:iam::444455556666:user/jane")),
    ("arn:aws:iam::444455556666:role/team/a/ExampleRole", "aws", ("AWS", "arn:aws:iam::444455556666:role/team/a/ExampleRole")),
    ("arn:aws-us-gov:iam::444455556666:role/r+=,.@-", "aws-us-gov", ("AWS", "arn:aws-us-gov:iam::444455556666:role/r+=,.@-")),
    ("comprehend.amazonaws.com", "aws", ("Service", "comprehend.amazonaws.com")),
    ("comprehend.amazonaws.com.cn", "aws-cn", ("Service", "comprehend.amazonaws.com.cn")),
])
def test_normalise_principal(value, partition, expected):
    assert normalise_principal(value, partition) == expected


@pytest.mark.parametrize("value", ["*", "arn:aws:iam::*:root"])
def test_wildcard_needs_opt_in(value):
    with pytest.raises(InvalidInputError, match="allow_wildcard_principal"):
        normalise_principal(value, "aws")
    assert normalise_principal(value, "aws", allow_wildcard=True) == ("AWS", "*")


def test_other_partition_refused():
    with pytest.raises(InvalidInputError, match="partition 'aws-cn'"):
        normalise_principal("arn:aws-cn:iam::123456789012:user/jane", "aws")


def test_service_principal_can_be_refused():
    with pytest.raises(InvalidInputError, match="key_principals: 'comprehend.amazonaws.com' is not a 12-digit"):
        normalise_principal("comprehend.amazonaws.com", "aws", allow_service=False, option="key_principals")


@pytest.mark.parametrize("value", [
    None, "", "   ", 123456789012, "12345678901", "1234567890123", "arn:aws:iam::123456789012:group/g",
    "arn:aws:iam::123456789012:user/", "arn:aws:sts::123456789012:assumed-role/r/s", "jane", "amazonaws.com",
    "arn:aws:iam::123456789012:user/a b",
])
def test_normalise_principal_refuses(value):
    with pytest.raises(InvalidInputError, match="^principals"):
        normalise_principal(value, "aws")


@pytest.mark.parametrize("value, account", [
    ("arn:aws:iam::123456789012:root", "123456789012"),
    ("arn:aws:iam::444455556666:role/path/r", "444455556666"),
    ("comprehend.amazonaws.com", None),
    ("*", None),
])
def test_principal_account(value, account):
    assert principal_account(value) == account
