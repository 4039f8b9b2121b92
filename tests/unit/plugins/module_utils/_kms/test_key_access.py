"""Tests of the key-policy evaluation for one model version (plugins/module_utils/_kms/key_access.py)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import ALLOWED
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import IMPORT_KEY_ACTIONS
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import NO
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import PARTIAL
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import UNKNOWN
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import YES
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import KeyPolicyEvaluator
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import condition_test
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import named_models
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import render_owned

OWNER = "111122223333"
IMPORTER = "444455556666"
OTHER = "123456789012"
KEY = f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL = f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1"
OTHER_MODEL = f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v2"
IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
ROLE = f"arn:aws:iam::{IMPORTER}:role/DataAccess"
USER = f"arn:aws:iam::{OTHER}:user/ExampleUser"
OWNER_DEFAULT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                 "Action": "kms:*", "Resource": "*"}


def statement(principal: Any, actions: Any = ("kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"),
              condition: Any = None, effect: str = "Allow", **extra: Any) -> Dict[str, Any]:
    result = {"Effect": effect, "Principal": principal, "Action": list(actions) if isinstance(actions, tuple) else actions, "Resource": "*"}
    for name in ("Principal", "Action"):
        if result[name] is None:
            del result[name]
    if condition is not None:
        result["Condition"] = condition
    result.update(extra)
    return result


def policy(*statements: Dict[str, Any]) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [OWNER_DEFAULT, *statements]}


def access(document: Dict[str, Any], model: str = MODEL, **kwargs: Any):
    return KeyPolicyEvaluator(document, KEY, "aws", **kwargs).evaluate(model)


def by_principal(document: Dict[str, Any], model: str = MODEL) -> Dict[str, str]:
    return {entry.principal: entry.access for entry in access(document, model).principals}


def guide_statements(principal: Any, operator: str, value: str) -> List[Dict[str, Any]]:
    """The guide's first example: Decrypt/GenerateDataKey under aws:SourceArn, CreateGrant under the context key."""
    return [statement(principal, ("kms:Decrypt", "kms:GenerateDataKey"), {operator: {"aws:SourceArn": value}}),
            statement(principal, "kms:CreateGrant", {operator: {"kms:EncryptionContext:aws:comprehend:arn": value}})]


# One table row per reading: (what, statements, model, account, expected account access).
READINGS = [
    ("the guide's example, StringEquals on the model", guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL), MODEL, IMPORTER, YES),
    ("the same statements, another version", guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL), OTHER_MODEL, IMPORTER, NO),
    ("an account ID as principal", guide_statements({"AWS": IMPORTER}, "StringEquals", MODEL), MODEL, IMPORTER, YES),
    ("AWS as a list", guide_statements({"AWS": [OTHER, IMPORTER_ROOT]}, "StringEquals", MODEL), MODEL, IMPORTER, YES),
    ("StringLike over every version", guide_statements({"AWS": IMPORTER_ROOT}, "StringLike", MODEL[:-2] + "*"), OTHER_MODEL, IMPORTER, YES),
    ("StringLike with ?", guide_statements({"AWS": IMPORTER_ROOT}, "StringLike", MODEL[:-1] + "?"), OTHER_MODEL, IMPORTER, YES),
    ("StringEquals doesn't glob", guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL[:-2] + "*"), MODEL, IMPORTER, NO),
    ("the guide's alternative 2: one statement on the context key", [statement({"AWS": IMPORTER_ROOT}, condition={
        "StringLike": {"kms:EncryptionContext:aws:comprehend:arn": "arn:aws:comprehend:*"}})], MODEL, IMPORTER, YES),
    ("aws:SourceArn on CreateGrant: its request has no aws:SourceArn", [statement({"AWS": IMPORTER_ROOT}, condition={
        "StringEquals": {"aws:SourceArn": MODEL}})], MODEL, IMPORTER, NO),
    ("...IfExists passes the absent key", [statement({"AWS": IMPORTER_ROOT}, condition={
        "StringEqualsIfExists": {"aws:SourceArn": MODEL}, "StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": MODEL}})], MODEL, IMPORTER, YES),
    ("ForAnyValue: tests a present key like the bare operator", [statement({"AWS": IMPORTER_ROOT}, condition={
        "ForAnyValue:StringLike": {"kms:EncryptionContext:aws:comprehend:arn": [OTHER_MODEL, MODEL]}})], MODEL, IMPORTER, YES),
    ("no condition at all: any model", [statement({"AWS": IMPORTER_ROOT})], OTHER_MODEL, IMPORTER, YES),
    ("kms:* under a NotAction-free Action wildcard", [statement({"AWS": IMPORTER_ROOT}, "kms:*")], MODEL, IMPORTER, YES),
    ("Action wildcards and case", [statement({"AWS": IMPORTER_ROOT}, ["KMS:decrypt", "kms:Generate*", "kms:CreateGr?nt"])], MODEL, IMPORTER, YES),
    ("NotAction leaving the import actions", [statement({"AWS": IMPORTER_ROOT}, None, NotAction="kms:ScheduleKeyDeletion")], MODEL, IMPORTER, YES),
    ("NotAction taking kms:CreateGrant", [statement({"AWS": IMPORTER_ROOT}, None, NotAction="kms:Create*")], MODEL, IMPORTER, NO),
    ("a Resource naming another key", [statement({"AWS": IMPORTER_ROOT}, Resource=KEY[:-1] + "0")], MODEL, IMPORTER, NO),
    ("a Resource pattern matching the key", [statement({"AWS": IMPORTER_ROOT}, Resource=f"arn:aws:kms:us-west-2:{OWNER}:key/*")], MODEL, IMPORTER, YES),
    ("a role of the account: the account can import through it", guide_statements({"AWS": ROLE}, "StringEquals", MODEL), MODEL, IMPORTER, YES),
    ("only Decrypt granted", guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL)[:1], MODEL, IMPORTER, NO),
    ("Decrypt to the account, CreateGrant to its role: the role has both", guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL)[:1]
     + guide_statements({"AWS": ROLE}, "StringEquals", MODEL)[1:], MODEL, IMPORTER, YES),
    ("the wildcard principal", [statement("*")], MODEL, IMPORTER, YES),
    ("the wildcard principal: any account", [statement({"AWS": "*"})], MODEL, "999988887777", YES),
    ("a Service principal names no account", [statement({"Service": "comprehend.amazonaws.com"})], MODEL, IMPORTER, NO),
    ("a Deny of the account wins", [statement({"AWS": IMPORTER_ROOT}), statement({"AWS": IMPORTER}, "kms:CreateGrant", effect="Deny")], MODEL, IMPORTER, NO),
    ("a Deny of everyone wins", [statement({"AWS": IMPORTER_ROOT}), statement("*", "kms:Decrypt", effect="Deny")], MODEL, IMPORTER, NO),
    ("a Deny of another version doesn't apply", [statement({"AWS": IMPORTER_ROOT}), statement({"AWS": IMPORTER_ROOT}, "kms:Decrypt", {
        "StringEquals": {"aws:SourceArn": OTHER_MODEL}}, effect="Deny")], MODEL, IMPORTER, YES),
    ("a Deny of one role leaves the account", [statement({"AWS": IMPORTER_ROOT}), statement({"AWS": ROLE}, "kms:*", effect="Deny")], MODEL, IMPORTER, YES),
    ("an unknown operator: unknown, never no", [statement({"AWS": IMPORTER_ROOT}, condition={"ArnLike": {"aws:SourceArn": MODEL}})], MODEL, IMPORTER, UNKNOWN),
    ("an unknown key: unknown", [statement({"AWS": IMPORTER_ROOT}, condition={"StringEquals": {"kms:ViaService": "comprehend.us-west-2.amazonaws.com"}})],
     MODEL, IMPORTER, UNKNOWN),
    ("an unknown key with a failing known one: no", [statement({"AWS": IMPORTER_ROOT}, condition={"StringEquals": {
        "kms:ViaService": "x", "kms:EncryptionContext:aws:comprehend:arn": OTHER_MODEL}})], MODEL, IMPORTER, NO),
    ("a Deny that can't be evaluated: unknown",
     [statement({"AWS": IMPORTER_ROOT}), statement("*", "kms:*", {"Bool": {"aws:SecureTransport": "false"}}, effect="Deny")], MODEL, IMPORTER, UNKNOWN),
    ("NotPrincipal: unknown", [statement(None, NotPrincipal={"AWS": OTHER})], MODEL, IMPORTER, UNKNOWN),
    ("condition key names compare case-insensitively", [statement({"AWS": IMPORTER_ROOT}, condition={
        "stringequals": {"KMS:ENCRYPTIONCONTEXT:AWS:COMPREHEND:ARN": MODEL}})], MODEL, IMPORTER, YES),
    ("condition values compare case-sensitively", [statement({"AWS": IMPORTER_ROOT}, condition={
        "StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": MODEL.upper()}})], MODEL, IMPORTER, NO),
    ("StringNotEquals another model", [statement({"AWS": IMPORTER_ROOT}, condition={
        "StringNotEquals": {"kms:EncryptionContext:aws:comprehend:arn": OTHER_MODEL}})], MODEL, IMPORTER, YES),
    ("the owner's default statement grants nothing to others", [], MODEL, IMPORTER, NO),
    ("the console's 'through the service' statement: everyone, of the owner's account only", [statement("*", condition={
        "StringEquals": {"kms:CallerAccount": OWNER, "kms:ViaService": "comprehend.us-west-2.amazonaws.com"}})], MODEL, IMPORTER, NO),
    ("everyone under aws:PrincipalAccount of the importer, for the model", [statement("*", condition={
        "StringEquals": {"aws:PrincipalAccount": IMPORTER, "kms:EncryptionContext:aws:comprehend:arn": MODEL}})], MODEL, IMPORTER, YES),
    ("...and not another account", [statement("*", condition={"StringEquals": {"aws:PrincipalAccount": IMPORTER}})], MODEL, "999988887777", NO),
    ("a pattern on kms:CallerAccount: unknown for an account the policy doesn't name", [statement("*", condition={
        "StringLike": {"kms:CallerAccount": "4444*"}})], MODEL, "444499999999", UNKNOWN),
]


@pytest.mark.parametrize("statements, model, account, expected", [row[1:] for row in READINGS], ids=[row[0] for row in READINGS])
def test_account_access_readings(statements, model, account, expected):
    assert access(policy(*statements), model).account_access(account) == expected


def test_an_unknown_reading_is_said_per_statement():
    result = access(policy({**statement({"AWS": IMPORTER_ROOT}, condition={"ArnLike": {"aws:SourceArn": MODEL}}), "Sid": "Foreign"}))
    assert result.unevaluated == ("Foreign: the condition operator ArnLike can't be evaluated",)
    assert by_principal(policy({**statement({"AWS": IMPORTER_ROOT}, condition={"ArnLike": {"aws:SourceArn": MODEL}})}))[IMPORTER_ROOT] == UNKNOWN


def test_the_consoles_service_statement_names_no_wildcard_principal():
    document = policy(statement("*", condition={"StringEquals": {"kms:CallerAccount": OWNER, "kms:ViaService": "comprehend.us-west-2.amazonaws.com"}}))
    assert by_principal(document) == {f"arn:aws:iam::{OWNER}:root": ALLOWED}
    granted = policy(statement("*", condition={"StringEquals": {"kms:CallerAccount": IMPORTER}}))
    assert by_principal(granted) == {f"arn:aws:iam::{OWNER}:root": ALLOWED, IMPORTER_ROOT: ALLOWED}


def test_principals_listed_with_their_access_and_category():
    document = policy(*guide_statements({"AWS": [IMPORTER_ROOT, USER]}, "StringEquals", MODEL),
                      statement({"AWS": ROLE}, "kms:Decrypt"))
    entries = {entry.principal: entry for entry in access(document).principals}
    assert {principal: entry.access for principal, entry in entries.items()} == {
        f"arn:aws:iam::{OWNER}:root": ALLOWED, IMPORTER_ROOT: ALLOWED, USER: ALLOWED, ROLE: ALLOWED}
    assert {principal: entry.category for principal, entry in entries.items()} == {
        f"arn:aws:iam::{OWNER}:root": "account", IMPORTER_ROOT: "account", USER: "iam_user", ROLE: "iam_role"}
    alone = {entry.principal: entry for entry in access(policy(statement({"AWS": ROLE}, "kms:Decrypt"))).principals}
    assert alone[ROLE].access == PARTIAL and alone[ROLE].actions == ("kms:Decrypt",)
    assert by_principal(document, OTHER_MODEL) == {f"arn:aws:iam::{OWNER}:root": ALLOWED, ROLE: PARTIAL}


def test_our_own_rendered_statements_are_read_like_any_other():
    document = policy(*render_owned({(IMPORTER_ROOT, MODEL), (ROLE, MODEL[:-2] + "*")}))
    assert access(document).account_access(IMPORTER) == YES
    assert by_principal(document, OTHER_MODEL).get(ROLE) == ALLOWED and IMPORTER_ROOT not in by_principal(document, OTHER_MODEL)


@pytest.mark.parametrize("condition, broad", [
    (None, True),
    ({"StringLike": {"kms:EncryptionContext:aws:comprehend:arn": "arn:aws:comprehend:*"}}, True),
    ({"StringLike": {"kms:EncryptionContext:aws:comprehend:arn": f"arn:aws:comprehend:us-west-2:{OWNER}:*"}}, True),
    ({"StringLike": {"kms:EncryptionContext:aws:comprehend:arn": f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/*"}}, False),
    ({"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": MODEL}}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:comprehend:*"}}, False),  # can't be evaluated: not called broad
])
def test_broad_statements(condition, broad):
    evaluator = KeyPolicyEvaluator(policy({**statement({"AWS": IMPORTER_ROOT}, condition=condition), "Sid": "Alt"}), KEY, "aws")
    assert evaluator.broad_statements("us-west-2", OWNER) == ([(1, "Alt", (IMPORTER_ROOT,))] if broad else [])


def test_the_owner_accounts_default_statement_is_not_broad_and_skipped_statements_grant_nothing():
    evaluator = KeyPolicyEvaluator(policy(statement({"AWS": IMPORTER_ROOT})), KEY, "aws")
    assert [index for index, _label, _principals in evaluator.broad_statements("us-west-2", OWNER)] == [1]
    assert KeyPolicyEvaluator(policy(statement({"AWS": IMPORTER_ROOT})), KEY, "aws", skip=[1]).evaluate(MODEL).account_access(IMPORTER) == NO


def test_named_models_are_the_exact_arns_of_model_conditions():
    document = policy(*guide_statements({"AWS": IMPORTER_ROOT}, "StringEquals", MODEL),
                      *guide_statements({"AWS": IMPORTER_ROOT}, "StringLike", OTHER_MODEL[:-2] + "*"),
                      statement({"AWS": IMPORTER_ROOT}, condition={"StringEquals": {"kms:ViaService": MODEL}}))
    assert named_models(document) == [MODEL]


@pytest.mark.parametrize("operator, present, expected", [
    ("ForAnyValue:StringEquals", False, NO), ("ForAllValues:StringEquals", False, YES), ("StringNotLike", False, YES),
    ("StringLikeIfExists", False, YES), ("StringLike", False, NO), ("ForAnyValue:StringEqualsIfExists", True, YES),
    ("StringEqualsIgnoreCase", True, YES), ("StringNotEqualsIgnoreCase", True, NO), ("Null", True, UNKNOWN),
])
def test_condition_operators(operator, present, expected):
    context = {"aws:sourcearn": MODEL} if present else {}
    assert condition_test(operator, "aws:SourceArn", MODEL.lower() if "IgnoreCase" in operator else MODEL, context)[0] == expected


# Fuzzed policies: the evaluation never raises, whatever the statements hold.
_values = st.one_of(st.text(max_size=12), st.sampled_from([MODEL, "*", "arn:aws:comprehend:*", IMPORTER, IMPORTER_ROOT, ROLE]),
                    st.integers(), st.booleans(), st.none())
_principal_maps = st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]), st.one_of(_values, st.lists(_values, max_size=3)),
                                  max_size=2)
_principals = st.one_of(st.just("*"), st.none(), _values, _principal_maps)
_operators = st.one_of(st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "ForAnyValue:StringLike", "StringLikeIfExists",
                                        "ArnLike", "Null", "Bool", "ForAllValues:StringNotLike", "NumericLessThan"]), st.text(max_size=20))
_keys = st.one_of(st.sampled_from(["aws:SourceArn", "kms:EncryptionContext:aws:comprehend:arn", "kms:ViaService", "aws:PrincipalArn"]), st.text(max_size=10))
_conditions = st.one_of(st.none(), _values, st.dictionaries(_operators, st.one_of(_values, st.dictionaries(
    _keys, st.one_of(_values, st.lists(_values, max_size=3)), max_size=2)), max_size=2))
_statements = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", None])},
    optional={"Principal": _principals, "NotPrincipal": _principals, "Action": st.one_of(_values, st.lists(_values, max_size=3)),
              "NotAction": _values, "Resource": st.one_of(_values, st.lists(_values, max_size=2)), "NotResource": _values,
              "Condition": _conditions, "Sid": _values})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_statements, _values), max_size=5))
def test_fuzzed_policies_never_raise(statements):
    evaluator = KeyPolicyEvaluator({"Statement": statements}, KEY, "aws")
    result = evaluator.evaluate(MODEL)
    assert result.account_access(IMPORTER) in (YES, NO, UNKNOWN)
    evaluator.broad_statements("us-west-2", OWNER)
    named_models({"Statement": statements})


@settings(max_examples=200, deadline=None)
@given(_operators.filter(lambda operator: operator.rpartition(":")[2].lower().replace("ifexists", "") not in (
    "stringequals", "stringnotequals", "stringlike", "stringnotlike", "stringequalsignorecase", "stringnotequalsignorecase")), _keys, _values)
def test_an_operator_that_cannot_be_evaluated_is_never_read_as_no_access(operator, key, value):
    document = policy(statement({"AWS": IMPORTER_ROOT}, condition={operator: {key: value}}))
    assert access(document).account_access(IMPORTER) == UNKNOWN
    assert set(IMPORT_KEY_ACTIONS) == {"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"}
