"""Tests of comprehend_share_info's pure side (plugins/module_utils/_comprehend/share_info.py): scope, principals, findings."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import Key
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import ModelVersion
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import ShareAudit
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import build_scope
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import import_principals
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import render_owned

OWNER = "111122223333"
IMPORTER_ROOT = "arn:aws:iam::444455556666:root"
THIRD_ROOT = "arn:aws:iam::123456789012:root"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:us-west-2:{OWNER}:key/{KEY_ID}"
PREFIX = f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier"
MODEL = f"{PREFIX}/tickets/version/v1"
OWNER_DEFAULT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                 "Action": "kms:*", "Resource": "*"}


def import_policy(*principals: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": list(principals)}}]})


def version(arn: str = MODEL, status: str = "TRAINED", key: Optional[str] = KEY_ID, policy: Optional[str] = None) -> ModelVersion:
    properties = {"DocumentClassifierArn": arn, "Status": status}
    if key:
        properties["ModelKmsKeyId"] = key
    return ModelVersion(parse_model_arn(arn), properties, policy)


def key(*statements: Dict[str, Any], manager: str = "CUSTOMER", state: str = "Enabled") -> Key:
    return Key({"Arn": KEY, "KeyManager": manager, "KeyState": state}, {"Version": "2012-10-17", "Statement": [OWNER_DEFAULT, *statements]})


def findings(versions: List[ModelVersion], the_key: Optional[Key] = None, covered=lambda arn: True) -> List[tuple]:
    keys = {("us-west-2", KEY_ID): the_key or key()}
    result = ShareAudit(versions, keys, covered).result()
    return sorted((item["type"], item["model_arn"], item["principal"]) for item in result["findings"])


def test_a_share_as_the_role_makes_it_has_no_findings():
    granted = key(*render_owned({(IMPORTER_ROOT, MODEL)}))
    assert findings([version(policy=import_policy(IMPORTER_ROOT))], granted) == []


@pytest.mark.parametrize("versions, the_key, expected", [
    ([version(policy=import_policy("444455556666"))], None, [("import_will_fail", MODEL, IMPORTER_ROOT)]),
    ([version(policy=import_policy("*"), key=None)], None, [("wildcard_principal", MODEL, "*")]),
    ([version(policy=import_policy(IMPORTER_ROOT), status="TRAINING")], key(*render_owned({(IMPORTER_ROOT, MODEL)})),
     [("shared_but_not_trained", MODEL, IMPORTER_ROOT)]),
    ([version(policy=import_policy(IMPORTER_ROOT))],
     Key({"Arn": KEY, "KeyManager": "CUSTOMER", "KeyState": "PendingDeletion"}, {"Statement": [OWNER_DEFAULT, *render_owned({(IMPORTER_ROOT, MODEL)})]}),
     [("key_disabled_or_pending_deletion", MODEL, None)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], Key(None, None, "KMS knows no key"), [("key_disabled_or_pending_deletion", MODEL, None)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], Key({"Arn": KEY, "KeyManager": "AWS", "KeyState": "Enabled"}),
     [("aws_managed_key", MODEL, IMPORTER_ROOT)]),
    ([version()], key(*render_owned({(IMPORTER_ROOT, MODEL)})), [("stale_key_access", MODEL, IMPORTER_ROOT)]),
    ([], key(*render_owned({(IMPORTER_ROOT, MODEL)})), [("stale_key_access", MODEL, IMPORTER_ROOT)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], key({"Effect": "Allow", "Principal": {"AWS": THIRD_ROOT}, "Action": "kms:*", "Resource": "*"},
                                                         *render_owned({(IMPORTER_ROOT, MODEL)})),
     [("broad_key_access", None, THIRD_ROOT)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], key({"Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Action": "kms:*", "Resource": "*",
                                                          "Condition": {"StringEquals": {"kms:ViaService": "comprehend.us-west-2.amazonaws.com"}}}),
     [("key_access_unknown", MODEL, IMPORTER_ROOT)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], key({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
                                                          "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}}),
     [("broad_key_access", None, IMPORTER_ROOT)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], key({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
                                                          "Condition": {"StringEquals": {"aws:SourceArn": MODEL}}}),
     [("import_will_fail", MODEL, IMPORTER_ROOT), ("wildcard_principal", MODEL, "*")]),
    ([ModelVersion(parse_model_arn(MODEL), {"DocumentClassifierArn": MODEL, "Status": "TRAINED"}, None, "AccessDeniedException")], None,
     [("audit_incomplete", MODEL, None)]),
    ([version(policy=import_policy(IMPORTER_ROOT))], Key({"Arn": KEY, "KeyManager": "CUSTOMER", "KeyState": "Enabled"}, None, "AccessDeniedException"),
     [("audit_incomplete", MODEL, None)]),
], ids=["import_will_fail", "wildcard resource policy", "not trained", "pending deletion", "key missing", "aws managed",
        "stale: unshared", "stale: deleted", "broad", "unknown", "broad: everyone of one account", "wildcard key for Decrypt only",
        "resource policy unreadable", "key policy unreadable"])
def test_each_finding(versions, the_key, expected):
    assert findings(versions, the_key) == expected


def test_a_deleted_model_outside_the_scope_is_not_judged():
    assert findings([], key(*render_owned({(IMPORTER_ROOT, MODEL)})), covered=lambda arn: False) == []


def test_the_owner_account_and_a_model_under_another_key_and_the_result_shape():
    other = f"{PREFIX}/other/version/v1"
    the_key = key(*render_owned({(IMPORTER_ROOT, other), (f"arn:aws:iam::{OWNER}:role/Admin", MODEL)}))
    versions = [version(policy=import_policy(f"arn:aws:iam::{OWNER}:root")), version(other, key="other-key")]
    keys = {("us-west-2", KEY_ID): the_key, ("us-west-2", "other-key"): Key(None, None, "AccessDenied")}
    result = ShareAudit(versions, keys, lambda arn: True).result()
    assert sorted((item["type"], item["model_arn"], item["principal"]) for item in result["findings"]) == [
        ("key_disabled_or_pending_deletion", other, None), ("stale_key_access", other, IMPORTER_ROOT)]
    models = {model["arn"]: model for model in result["models"]}
    first = models[MODEL]
    assert first["resource_policy_principals"] == [{"principal": f"arn:aws:iam::{OWNER}:root", "type": "account"}]
    assert first["key_principals"][0] == {"principal": f"arn:aws:iam::{OWNER}:role/Admin", "type": "iam_role", "access": "allowed",
                                          "actions": ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"], "unknown_actions": []}
    assert models[other]["encryption"]["key_type"] is None and models[other]["key_error"] == "AccessDenied"
    assert [entry["kms_key_arn"] for entry in result["kms_keys"]] == [KEY, "other-key"]


@pytest.mark.parametrize("policy, expected", [
    (import_policy(IMPORTER_ROOT, "444455556666", "arn:aws:iam::123456789012:role/R"), ["arn:aws:iam::123456789012:role/R", IMPORTER_ROOT]),
    (json.dumps({"Statement": [{"Effect": "Allow", "Action": "comprehend:*", "Resource": "*", "Principal": {"AWS": THIRD_ROOT}},
                               {"Effect": "Allow", "Action": "comprehend:DescribeResourcePolicy", "Resource": "*", "Principal": {"AWS": IMPORTER_ROOT}},
                               {"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
                                "Principal": {"Service": "comprehend.amazonaws.com"}}]}),
     [THIRD_ROOT, "comprehend.amazonaws.com"]),
    (json.dumps({"Statement": [{"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": [IMPORTER_ROOT, THIRD_ROOT]}},
                               {"Effect": "Deny", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": THIRD_ROOT}}]}), [IMPORTER_ROOT]),
    ("not json", []),
    (None, []),
])
def test_import_principals(policy, expected):
    document = json.loads(policy) if policy and policy.startswith("{") else None
    assert [principal.value for principal in import_principals(document, MODEL, "aws")] == expected


def test_principal_categories():
    assert [Principal.read(kind, value, "aws").category for kind, value in (
        ("AWS", "444455556666"), ("AWS", "arn:aws:iam::444455556666:user/u"), ("AWS", "arn:aws:iam::444455556666:role/p/r"),
        ("Service", "comprehend.amazonaws.com"), ("AWS", "*"), ("AWS", "AROAEXAMPLE"))] == [
        "account", "iam_user", "iam_role", "service", "wildcard", "other"]


def test_scope():
    scope = build_scope({"regions": None, "names": None, "model_arns": None}, "us-west-2")
    assert scope.queries == (("us-west-2", "document-classifier", None), ("us-west-2", "entity-recognizer", None))
    assert scope.covers(MODEL) and not scope.covers(MODEL.replace("us-west-2", "eu-west-1"))
    named = build_scope({"regions": ["eu-west-1"], "names": ["tickets"], "model_arns": None}, "us-west-2")
    assert named.covers(MODEL.replace("us-west-2", "eu-west-1")) and not named.covers(MODEL.replace("tickets", "other"))
    by_arn = build_scope({"regions": None, "names": None, "model_arns": [MODEL]}, None)
    assert by_arn.queries == (("us-west-2", "document-classifier", "tickets"),) and by_arn.covers(MODEL) and not by_arn.covers(MODEL[:-1] + "2")


@pytest.mark.parametrize("params, region, message", [
    ({"regions": None, "names": None, "model_arns": None}, None, "no region"),
    ({"regions": ["US-WEST-2"], "names": None, "model_arns": None}, None, "is not an AWS region name"),
    ({"regions": None, "names": ["bad name"], "model_arns": None}, "us-west-2", "is not a valid name"),
    ({"regions": None, "names": [], "model_arns": None}, "us-west-2", "names must name at least one"),
    ({"regions": None, "names": None, "model_arns": ["arn:aws:s3:::bucket"]}, "us-west-2", "is not a Comprehend custom model ARN"),
    ({"regions": None, "names": None, "model_arns": []}, "us-west-2", "model_arns must name at least one"),
])
def test_scope_refusals(params, region, message):
    with pytest.raises(InvalidInputError, match=message):
        build_scope(params, region)
