# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Principal type (plugins/module_utils/_iam/principals.py): parsing users' principals by IAM's naming
rules, reading AWS's, canonical form, account, wildcard and rendering."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import read_principals
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import render_principals

ROLE = "arn:aws:iam::123456789012:role/"
USER = "arn:aws:iam::123456789012:user/"


@pytest.mark.parametrize("value, partition, expected", [
    ("123456789012", "aws", ("AWS", "arn:aws:iam::123456789012:root")),
    (" 123456789012 ", "aws-cn", ("AWS", "arn:aws-cn:iam::123456789012:root")),
    ("arn:aws:iam::123456789012:root", "aws", ("AWS", "arn:aws:iam::123456789012:root")),
    ("arn:aws:iam::444455556666:user/jane", "aws", ("AWS", "arn:aws:iam::444455556666:user/jane")),
    ("arn:aws:iam::444455556666:role/team/a/ExampleRole", "aws", ("AWS", "arn:aws:iam::444455556666:role/team/a/ExampleRole")),
    ("arn:aws-us-gov:iam::444455556666:role/r+=,.@-_", "aws-us-gov", ("AWS", "arn:aws-us-gov:iam::444455556666:role/r+=,.@-_")),
    ("comprehend.amazonaws.com", "aws", ("Service", "comprehend.amazonaws.com")),
    ("comprehend.amazonaws.com.cn", "aws-cn", ("Service", "comprehend.amazonaws.com.cn")),
])
def test_parse(value, partition, expected):
    assert Principal.parse(value, partition) == Principal(*expected)


# IAM's naming rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
@pytest.mark.parametrize("value", [
    ROLE + "R", USER + "u", ROLE + "x" * 64, USER + "x" * 64, ROLE + "A-z_0.9+=,@", USER + "team/sub.team/jane",
    ROLE + "p" * 510 + "/n", ROLE + "p/" * 255 + "n", ROLE + "service-role/AmazonComprehendServiceRole-x",
])
def test_iam_naming_rules_accept(value):
    assert Principal.parse(value, "aws").value == value


@pytest.mark.parametrize("value", [
    ROLE + "R\u00f4le", USER + "j\u00e4ne", ROLE + "team\u00e9/R", ROLE + "x" * 65, USER + "x" * 65, USER, ROLE,
    ROLE + "a b", ROLE + "a//b", ROLE + "/R", ROLE + "a:b", ROLE + "a#b", ROLE + "p" * 511 + "/n", ROLE + "p/" * 256 + "n",
])
def test_iam_naming_rules_refuse_with_a_message_naming_the_option(value):
    with pytest.raises(InvalidInputError, match=r"^share_principals: .* is not an IAM (role|user) ARN by IAM's naming rules"):
        Principal.parse(value, "aws", option="share_principals")


@pytest.mark.parametrize("value", [ROLE + "a*/x", ROLE + "*", USER + "jane*", "arn:aws:iam::*:role/R", "1234567890*"])
def test_a_wildcard_inside_a_principal_is_refused_even_with_the_opt_in(value):
    for allow in (False, True):
        with pytest.raises(InvalidInputError, match=r"^principals: the wildcard .* is refused: a principal can't be a pattern"):
            Principal.parse(value, "aws", allow_wildcard=allow)


@pytest.mark.parametrize("value", ["*", "arn:aws:iam::*:root", " * "])
def test_wildcard_needs_opt_in(value):
    with pytest.raises(InvalidInputError, match="^principals: the wildcard principal .* set allow_wildcard_principal=true"):
        Principal.parse(value, "aws")
    wildcard = Principal.parse(value, "aws", allow_wildcard=True)
    assert wildcard == Principal("AWS", "*") and wildcard.is_wildcard


def test_wildcard_without_an_opt_in_option():
    with pytest.raises(InvalidInputError, match=r"^principals: the wildcard '\*' is refused: name the importing accounts"):
        Principal.parse("*", "aws", wildcard_opt_in=None)


def test_other_partition_refused():
    with pytest.raises(InvalidInputError, match="partition 'aws-cn'"):
        Principal.parse("arn:aws-cn:iam::123456789012:user/jane", "aws")


def test_service_principal_can_be_refused():
    with pytest.raises(InvalidInputError, match="key_principals: 'comprehend.amazonaws.com' is not a 12-digit"):
        Principal.parse("comprehend.amazonaws.com", "aws", allow_service=False, option="key_principals")


@pytest.mark.parametrize("value", [
    None, "", "   ", 123456789012, "12345678901", "1234567890123", "arn:aws:iam::123456789012:group/g",
    "arn:aws:sts::123456789012:assumed-role/r/s", "jane", "amazonaws.com", "arn:aws:iam::12345678901:user/jane",
])
def test_parse_refuses(value):
    with pytest.raises(InvalidInputError, match="^principals"):
        Principal.parse(value, "aws")


@pytest.mark.parametrize("kind, value, expected", [
    ("AWS", "123456789012", "arn:aws-cn:iam::123456789012:root"),
    ("AWS", " arn:aws-cn:iam::123456789012:root ", "arn:aws-cn:iam::123456789012:root"),
    # KMS shows the unique ID of a deleted role: kept, so that it compares equal to itself.
    ("AWS", "AROAEXAMPLEID123456789", "AROAEXAMPLEID123456789"),
    ("AWS", "arn:aws-cn:iam::123456789012:role/R\u00f4le", "arn:aws-cn:iam::123456789012:role/R\u00f4le"),
    ("Service", "123456789012", "123456789012"),
    ("Federated", "cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com"),
])
def test_read_is_lenient_and_canonical(kind, value, expected):
    assert Principal.read(kind, value, "aws-cn") == Principal(kind, expected)


def test_a_principal_read_from_aws_equals_the_one_the_user_named():
    assert Principal.read("AWS", "123456789012", "aws") == Principal.parse("arn:aws:iam::123456789012:root", "aws")


@pytest.mark.parametrize("value, account", [
    ("arn:aws:iam::123456789012:root", "123456789012"),
    ("arn:aws:iam::444455556666:role/path/r", "444455556666"),
    ("AROAEXAMPLEID123456789", None),
    ("*", None),
])
def test_account(value, account):
    assert Principal("AWS", value).account == account


@pytest.mark.parametrize("element, expected", [
    ("*", {Principal("AWS", "*")}),
    ({"AWS": "123456789012"}, {Principal("AWS", "arn:aws:iam::123456789012:root")}),
    ({"AWS": ["arn:aws:iam::*:root", "AIDAEXAMPLE"], "Service": "comprehend.amazonaws.com"},
     {Principal("AWS", "arn:aws:iam::*:root"), Principal("AWS", "AIDAEXAMPLE"), Principal("Service", "comprehend.amazonaws.com")}),
    ({"AWS": None}, set()),
    (["123456789012"], None),
    (None, None),
])
def test_read_principals(element, expected):
    assert read_principals(element, "aws") == (None if expected is None else frozenset(expected))


def test_render_orders_types_and_values_and_leaves_single_values_bare():
    principals = {Principal("Service", "comprehend.amazonaws.com"), Principal("Federated", "x"),
                  Principal("AWS", "arn:aws:iam::2:root"), Principal("AWS", "arn:aws:iam::1:root")}
    rendered = render_principals(principals)
    assert list(rendered) == ["AWS", "Service", "Federated"]
    assert rendered == {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"], "Service": "comprehend.amazonaws.com",
                        "Federated": "x"}
    assert read_principals(rendered, "aws") == frozenset(principals)
