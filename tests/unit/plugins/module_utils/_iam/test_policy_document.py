# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared policy document handling (plugins/module_utils/_iam/policy_document.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import canonical_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import compact_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import load_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of

# The put-resource-policy example of the AWS guide, as written there.
GUIDE_POLICY = """{
"Version":"2012-10-17",
"Statement":[
{"Sid":"ResourcePolicyForImportModel",
"Effect":"Allow",
"Action":["comprehend:ImportModel"],
"Resource":"*",
"Principal":
{"AWS":
["arn:aws:iam::444455556666:user/jane",
"123456789012"]
}
}
]
}"""


def statement(**overrides):
    base = {"Sid": "S", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}
    base.update(overrides)
    return base


def test_as_list_and_compact_list():
    assert as_list(None) == []
    assert as_list("a") == ["a"]
    assert as_list(["a", "b"]) == ["a", "b"]
    assert compact_list(["a"]) == "a"
    assert compact_list(["a", "b"]) == ["a", "b"]


def test_load_policy_text_and_dict():
    loaded = load_policy(GUIDE_POLICY)
    assert loaded["Statement"][0]["Sid"] == "ResourcePolicyForImportModel"
    assert load_policy(loaded) == loaded


def test_load_policy_single_statement_object_becomes_list():
    loaded = load_policy({"Version": "2012-10-17", "Statement": statement()})
    assert loaded["Statement"] == [statement()]
    assert statements_of(loaded) == [statement()]


def test_load_policy_does_not_change_its_argument():
    given = {"Statement": statement()}
    load_policy(given)
    assert given == {"Statement": statement()}


@pytest.mark.parametrize("value, message", [
    ("{not json", "not valid JSON"),
    ("[]", "must be a JSON object"),
    (42, "must be a JSON object"),
    ({"Version": "2012-10-17"}, "non-empty Statement"),
    ({"Statement": []}, "non-empty Statement"),
    ({"Statement": ["x"]}, r"Statement\[0\] must be an object"),
    ({"Statement": [{"Effect": "allow"}]}, r"Statement\[0\] needs Effect"),
])
def test_load_policy_refuses(value, message):
    with pytest.raises(InvalidInputError, match=message):
        load_policy(value)


def test_statements_of_nothing():
    assert statements_of(None) == []
    assert statements_of({}) == []


def test_render_is_compact_and_keeps_order():
    policy = {"Version": "2012-10-17", "Statement": [statement(Sid="B"), statement(Sid="A")]}
    text = render_policy(policy)
    assert " " not in text and "\n" not in text
    assert json.loads(text) == policy
    assert text.index('"B"') < text.index('"A"')


def test_render_keeps_latin1_characters_unescaped():
    assert render_policy({"Id": "café"}) == '{"Id":"café"}'


def test_guide_policy_equals_its_normalised_form():
    normalised = {
        "Version": "2012-10-17",
        "Statement": [statement(Sid="ResourcePolicyForImportModel", Principal={
            "AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:user/jane"]})],
    }
    assert policies_equal(load_policy(GUIDE_POLICY), normalised, "aws")


@pytest.mark.parametrize("first, second", [
    (statement(Principal={"AWS": "123456789012"}), statement()),
    (statement(Principal={"AWS": ["arn:aws:iam::123456789012:root"]}), statement()),
    (statement(Action=["comprehend:importmodel"]), statement()),
    (statement(Resource=["*"]), statement()),
    (statement(Principal={"AWS": ["arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b"]}),
     statement(Principal={"AWS": ["arn:aws:iam::1:user/b", "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/a"]})),
    (statement(Condition={"StringEquals": {"aws:SourceAccount": "111122223333"}}),
     statement(Condition={"StringEquals": {"AWS:sourceaccount": ["111122223333"]}})),
    (statement(Condition={"Bool": {"aws:SecureTransport": True}}),
     statement(Condition={"Bool": {"aws:SecureTransport": "true"}})),
    (statement(Principal="*"), statement(Principal={"AWS": "*"})),
])
def test_statements_equal_by_meaning(first, second):
    assert statements_equal(first, second, "aws")


@pytest.mark.parametrize("first, second", [
    (statement(), statement(Effect="Deny")),
    (statement(), statement(Sid="Other")),
    (statement(), statement(Principal={"AWS": "arn:aws:iam::123456789012:user/jane"})),
    (statement(), statement(Principal={"Service": "comprehend.amazonaws.com"})),
    (statement(), statement(Condition={"StringEquals": {"aws:SourceAccount": "1"}})),
    (statement(Principal={"AWS": "123456789012"}), statement(Principal={"AWS": "arn:aws-cn:iam::123456789012:root"})),
])
def test_statements_differ(first, second):
    assert not statements_equal(first, second, "aws")


def test_account_ids_become_root_arns_of_the_partition():
    assert statements_equal(statement(Principal={"AWS": "123456789012"}),
                            statement(Principal={"AWS": "arn:aws-cn:iam::123456789012:root"}), "aws-cn")


def test_policy_statement_order_does_not_matter():
    first = {"Version": "2012-10-17", "Statement": [statement(Sid="A"), statement(Sid="B")]}
    second = {"Version": "2012-10-17", "Statement": [statement(Sid="B"), statement(Sid="A")]}
    assert policies_equal(first, second, "aws")


def test_policy_single_statement_object_equals_list():
    assert policies_equal({"Version": "2012-10-17", "Statement": statement()},
                          {"Version": "2012-10-17", "Statement": [statement()]}, "aws")


def test_policy_versions():
    assert policies_equal({"Statement": [statement()]}, {"Version": "2008-10-17", "Statement": [statement()]}, "aws")
    assert not policies_equal({"Statement": [statement()]}, {"Version": "2012-10-17", "Statement": [statement()]}, "aws")


def test_no_policy():
    assert policies_equal(None, None, "aws")
    assert not policies_equal(None, {"Statement": [statement()]}, "aws")
    assert canonical_policy(None, "aws") is None
