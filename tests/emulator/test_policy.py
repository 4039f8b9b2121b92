"""The policy evaluator behind ImportModel authorization and the KMS lockout check."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from emulator._policy import Principal, Request, conditions_hold, glob_match, identity_allows, is_allowed, trust_allows

USER = Principal("444455556666", "arn:aws:iam::444455556666:user/jane")
SESSION = Principal("444455556666", "arn:aws:sts::444455556666:assumed-role/importer/s1", "arn:aws:iam::444455556666:role/importer")
IMPORT = Request("comprehend:ImportModel", resource="arn:aws:comprehend:us-west-2:111122223333:document-classifier/c/version/v1")


def policy(principal: Any, action: Any = "comprehend:ImportModel", effect: str = "Allow", **extra: Any) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*", "Principal": principal, **extra}]}


@pytest.mark.parametrize("principal", [
    "*",
    {"AWS": "*"},
    {"AWS": "444455556666"},
    {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]},
    {"AWS": "arn:aws-cn:iam::444455556666:root"},
    {"AWS": "arn:aws:iam::444455556666:role/importer"},
    {"AWS": "arn:aws:sts::444455556666:assumed-role/importer/s1"},
])
def test_principals_admitting_an_assumed_role_session(principal: Any) -> None:
    assert is_allowed(policy(principal), SESSION, IMPORT)


@pytest.mark.parametrize("principal", [
    {"AWS": "111122223333"},
    {"AWS": "arn:aws:iam::111122223333:root"},
    {"AWS": "arn:aws:iam::444455556666:role/other"},
    {"AWS": "arn:aws:iam::444455556666:user/jane"},
    {"Service": "comprehend.amazonaws.com"},
    "444455556666",
    None,
])
def test_principals_not_admitting_an_assumed_role_session(principal: Any) -> None:
    assert not is_allowed(policy(principal), SESSION, IMPORT)


def test_a_user_arn_admits_that_user_only() -> None:
    document = policy({"AWS": "arn:aws:iam::444455556666:user/jane"})
    assert is_allowed(document, USER, IMPORT)
    assert not is_allowed(document, Principal("444455556666", "arn:aws:iam::444455556666:user/john"), IMPORT)


@pytest.mark.parametrize("action, allowed", [
    ("comprehend:ImportModel", True),
    (["s3:GetObject", "comprehend:importmodel"], True),
    ("comprehend:*", True),
    ("*", True),
    ("comprehend:Import*", True),
    ("comprehend:Import?odel", True),
    ("comprehend:DescribeResourcePolicy", False),
    ("kms:*", False),
])
def test_actions(action: Any, allowed: bool) -> None:
    assert is_allowed(policy("*", action), USER, IMPORT) is allowed


def test_an_explicit_deny_wins() -> None:
    document = policy("*")
    document["Statement"].append({"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": {"AWS": "444455556666"}})
    assert not is_allowed(document, USER, IMPORT)


def test_statements_without_resource_or_with_another_resource_have_no_effect() -> None:
    without_resource = policy("*")
    del without_resource["Statement"][0]["Resource"]
    assert not is_allowed(without_resource, USER, IMPORT)
    assert not is_allowed(policy("*", Resource="arn:aws:comprehend:us-west-2:111122223333:document-classifier/other"), USER, IMPORT)
    assert is_allowed(policy("*", Resource="arn:aws:comprehend:*:111122223333:document-classifier/c/*"), USER, IMPORT)


@pytest.mark.parametrize("document", [None, {}, {"Statement": "nonsense"}, [1, 2], "text"])
def test_malformed_documents_allow_nothing(document: Any) -> None:
    assert not is_allowed(document, USER, IMPORT)


CONTEXT = {"aws:SourceArn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/c/version/v1", "kms:CallerAccount": "444455556666"}


@pytest.mark.parametrize("block, holds", [
    ({}, True),
    ({"StringEquals": {"aws:SourceArn": CONTEXT["aws:SourceArn"]}}, True),
    ({"StringEquals": {"AWS:SOURCEARN": CONTEXT["aws:SourceArn"]}}, True),
    ({"StringEquals": {"aws:SourceArn": ["arn:other", CONTEXT["aws:SourceArn"]]}}, True),
    ({"StringEquals": {"aws:SourceArn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/c/version/v2"}}, False),
    ({"StringLike": {"aws:SourceArn": "arn:aws:comprehend:*"}}, True),
    ({"StringLike": {"aws:SourceArn": "arn:aws:comprehend:??-west-2:*/version/v?"}}, True),
    ({"StringLike": {"aws:SourceArn": "arn:aws:s3:*"}}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:comprehend:*:111122223333:*"}}, True),
    ({"StringEquals": {"kms:ViaService": "comprehend.us-west-2.amazonaws.com"}}, False),
    ({"StringEqualsIfExists": {"kms:ViaService": "comprehend.us-west-2.amazonaws.com"}}, True),
    ({"StringNotEquals": {"kms:CallerAccount": "111122223333"}}, True),
    ({"StringNotEquals": {"kms:CallerAccount": "444455556666"}}, False),
    ({"StringNotLike": {"kms:ViaService": "*"}}, True),
    ({"StringEquals": {"kms:CallerAccount": "444455556666"}, "StringLike": {"aws:SourceArn": "arn:aws:s3:*"}}, False),
    ({"NumericLessThan": {"kms:CallerAccount": "5"}}, False),
    ({"ForAnyValue:StringEquals": {"aws:SourceArn": CONTEXT["aws:SourceArn"]}}, False),
    ("not a block", False),
])
def test_conditions(block: Any, holds: bool) -> None:
    assert conditions_hold(block, CONTEXT) is holds


def test_conditions_are_skipped_without_a_request_context() -> None:
    document = policy("*", Condition={"StringEquals": {"aws:SourceArn": "arn:other"}})
    assert not is_allowed(document, USER, Request(IMPORT.action, IMPORT.resource, CONTEXT))
    assert is_allowed(document, USER, Request(IMPORT.action, IMPORT.resource))


def test_glob_match_escapes_regex_characters() -> None:
    assert glob_match("a.b*", "a.bcd")
    assert not glob_match("a.b*", "axbcd")
    assert glob_match("[x]", "[x]")


COMPREHEND = Principal.for_service("comprehend.amazonaws.com")
ASSUME = Request("sts:AssumeRole", context={"aws:SourceAccount": "444455556666"})


def trust(principal: Any, **extra: Any) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}]}


@pytest.mark.parametrize("principal, admitted", [
    ({"Service": "comprehend.amazonaws.com"}, True),
    ({"Service": ["ec2.amazonaws.com", "comprehend.amazonaws.com"]}, True),
    ({"Service": "ec2.amazonaws.com"}, False),
    ({"AWS": "comprehend.amazonaws.com"}, False),
    ({"AWS": "*"}, False),
    ("*", True),
])
def test_service_principals(principal: Any, admitted: bool) -> None:
    assert trust_allows(trust(principal), COMPREHEND, ASSUME) is admitted


def test_a_service_entry_never_admits_an_iam_identity() -> None:
    assert not is_allowed(policy({"Service": USER.arn}), USER, IMPORT)
    assert not trust_allows(trust({"Service": SESSION.arn}), SESSION, ASSUME)


def test_trust_conditions() -> None:
    assert trust_allows(trust({"Service": COMPREHEND.arn}, Condition={"StringEquals": {"aws:SourceAccount": "444455556666"}}), COMPREHEND, ASSUME)
    assert not trust_allows(trust({"Service": COMPREHEND.arn}, Condition={"StringEquals": {"aws:SourceAccount": "111122223333"}}), COMPREHEND, ASSUME)


def test_identity_policies_skip_principal_statements_and_deny_wins() -> None:
    allow = {"Statement": [{"Effect": "Allow", "Action": "comprehend:*", "Resource": "*"}]}
    with_principal = {"Statement": [{"Effect": "Allow", "Action": "comprehend:*", "Resource": "*", "Principal": "*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Action": "comprehend:ImportModel", "Resource": IMPORT.resource}]}
    assert identity_allows([allow], IMPORT)
    assert not identity_allows([with_principal], IMPORT)
    assert not identity_allows([allow, deny], IMPORT)
    assert not identity_allows([], IMPORT)
