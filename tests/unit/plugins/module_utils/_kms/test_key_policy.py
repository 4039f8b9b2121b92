# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure KMS grant core: options, parsing, apply, rendering, placement, size, verification."""

from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.module_utils._kms import key_policy as core
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError, OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal, render_policy
from ansible_collections.seed.comprehend.plugins.modules.kms_comprehend_grant import ARGUMENT_SPEC

OWNER = "111122223333"
IMPORTER = "444455556666"
OTHER = "123456789012"
REGION = "us-west-2"
KEY_ARN = f"arn:aws:kms:{REGION}:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
GUIDE_MODEL = f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/classifierName/version/1"
VERSION_PATTERN = f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/classifierName/version/*"


def model(name: str = "classifierName", version: str = "1", kind: str = "document-classifier") -> str:
    return f"arn:aws:comprehend:{REGION}:{OWNER}:{kind}/{name}/version/{version}"


def default_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }


def guide_first_example(principal: str = IMPORTER_ROOT, model_arn: str = GUIDE_MODEL) -> list:
    """The two statements of the guide's first example (no Sids there)."""
    return [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": model_arn}}},
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": model_arn}}},
    ]


def module_params(**options) -> dict:
    """The options as kms_comprehend_grant hands them on: typed by its argument spec, with their defaults."""
    validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(options, key_id=KEY_ARN))
    assert not validated.error_messages, validated.error_messages
    return validated.validated_parameters


def request(state: str = "present", models=(GUIDE_MODEL,), principals=(IMPORTER,), purge: bool = True) -> core.GrantRequest:
    params = module_params(state=state, model_arns=list(models) if models is not None else None,
                           principals=list(principals) if principals is not None else None, purge_principals=purge)
    return core.build_grant_request(params, KEY_ARN)


def without_own_sids(policy: dict) -> dict:
    result = dict(policy)
    result["Statement"] = [{k: v for k, v in statement.items() if k != "Sid" or not core.owns(statement, "aws")}
                           for statement in policy["Statement"]]
    return result


def grant_all(policy: dict, *requests: core.GrantRequest) -> dict:
    for item in requests:
        policy = core.plan_change(policy, item).after
    return policy


# ---------------------------------------------------------------- options


class TestBuildGrantRequest:
    def test_canonical_request(self):
        result = request(models=[GUIDE_MODEL, GUIDE_MODEL], principals=[IMPORTER, IMPORTER_ROOT, f" {OTHER} "])
        assert result.models == (GUIDE_MODEL,)
        assert result.principals == (IMPORTER_ROOT, OTHER_ROOT)
        assert result.partition == "aws" and result.state == "present" and result.purge_principals
        assert result.warnings == ()

    def test_iam_entities_kept(self):
        role = f"arn:aws:iam::{IMPORTER}:role/path/ImportRole"
        user = f"arn:aws:iam::{OTHER}:user/ExampleUser"
        assert request(principals=[role, user]).principals == (role, user)

    @pytest.mark.parametrize("pattern", ["arn:aws:comprehend:*", VERSION_PATTERN,
                                         f"arn:aws:comprehend:{REGION}:{OWNER}:entity-recognizer/*",
                                         f"arn:aws:comprehend:*:{OWNER}:document-classifier/x/version/*"])
    def test_patterns_accepted_with_warning(self, pattern):
        result = request(models=[pattern, pattern])
        assert result.models == (pattern,)
        assert len(result.warnings) == 1 and pattern in result.warnings[0] and "covers every model version" in result.warnings[0]

    @pytest.mark.parametrize("principal", ["*", "arn:aws:iam::*:root", f"arn:aws:iam::{IMPORTER}:role/*",
                                           f"arn:aws:iam::{IMPORTER}:role/a*b/Name"])
    def test_wildcard_principals_refused(self, principal):
        with pytest.raises(InvalidInputError, match=r"^principals: the wildcard .* is refused"):
            request(principals=[principal])

    @pytest.mark.parametrize("principal, reason", [
        ("comprehend.amazonaws.com", "is not a 12-digit account ID, an IAM user or role ARN$"),
        (f"arn:aws-cn:iam::{IMPORTER}:root", "is in partition 'aws-cn'"),
        ("12345", "is not a 12-digit"),
        ("", "is not a principal"),
    ])
    def test_bad_principals(self, principal, reason):
        with pytest.raises(InvalidInputError, match=f"^principals: .*{reason}"):
            request(principals=[principal])

    @pytest.mark.parametrize("model_arn, what", [
        (f"arn:aws:comprehend:us-east-1:{OWNER}:document-classifier/a/version/1", "region 'us-east-1'"),
        (f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier/a/version/1", f"account '{IMPORTER}'"),
        (f"arn:aws-cn:comprehend:{REGION}:{OWNER}:document-classifier/a/version/1", "partition 'aws-cn'"),
        (f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier/*", f"account '{IMPORTER}'"),
        (f"arn:aws:comprehend:eu-west-1:{OWNER}:*", "region 'eu-west-1'"),
    ])
    def test_models_outside_the_key_account_or_region(self, model_arn, what):
        with pytest.raises(InvalidInputError, match=f"^model_arns: .* is in {what} but the key {KEY_ARN}"):
            request(models=[model_arn])

    @pytest.mark.parametrize("model_arn, message", [
        ("arn:aws:s3:::bucket/*", "neither a Comprehend model ARN nor a pattern"),
        (f"arn:aws:comprehend:*:{OWNER}", "can't match any model ARN"),
        (f"arn:aws:comprehend:{REGION}:{OWNER}:document_classifier/x", "is not a Comprehend custom model ARN"),
        ("arn:aws:comprehend:?", "is not a Comprehend custom model ARN"),
        ("arn:aws:comprehend:" + "*" * 300, "neither a Comprehend model ARN nor a pattern"),
        (f"arn:aws:comprehend::{OWNER}:*", "neither a Comprehend model ARN nor a pattern"),  # empty region
        ("arn:aws:comprehend:*::*", "neither a Comprehend model ARN nor a pattern"),  # empty account
    ])
    def test_bad_models(self, model_arn, message):
        with pytest.raises(InvalidInputError, match=f"^model_arns: .*{message}"):
            request(models=[model_arn])

    @pytest.mark.parametrize("option, models, principals", [
        ("model_arns", None, [IMPORTER]), ("model_arns", [], [IMPORTER]), ("principals", [GUIDE_MODEL], None),
    ])
    def test_present_needs_models_and_principals(self, option, models, principals):
        with pytest.raises(InvalidInputError, match=f"^{option} must name at least one item with state=present"):
            request(models=models, principals=principals)

    def test_absent_accepts_any_combination(self):
        assert request("absent", models=None, principals=None).models == ()
        assert request("absent", models=None, principals=[IMPORTER]).principals == (IMPORTER_ROOT,)

    @pytest.mark.parametrize("options, option", [
        ({"state": "gone"}, "state"), ({"purge_principals": "maybe"}, "purge_principals"),
        ({"model_arns": {"arn": GUIDE_MODEL}}, "model_arns"), ({"principals": {"account": IMPORTER}}, "principals"),
        ({"policy_size_limit": "32k"}, "policy_size_limit"), ({"policy_size_limit": 1.5}, "policy_size_limit"),
    ])
    def test_option_types_are_the_argument_specs(self, options, option):
        """Types and choices are checked once, by the argument spec, before build_grant_request."""
        errors = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(options, key_id=KEY_ARN)).error_messages
        assert errors and all(option in error for error in errors), errors

    def test_options_as_the_argument_spec_types_them(self):
        result = core.build_grant_request(module_params(model_arns=GUIDE_MODEL, principals=int(IMPORTER), purge_principals="no",
                                                        policy_size_limit="600"), KEY_ARN)
        assert (result.models, result.principals, result.purge_principals, result.policy_size_limit) == (
            (GUIDE_MODEL,), (IMPORTER_ROOT,), False, 600)

    @pytest.mark.parametrize("size", [0, -1])
    def test_the_size_limit_is_a_positive_number_of_bytes(self, size):
        with pytest.raises(InvalidInputError, match=f"^policy_size_limit must be a positive number of bytes, got {size}$"):
            core.build_grant_request(module_params(state="absent", policy_size_limit=size), KEY_ARN)

    def test_key_arn_must_be_a_key_arn(self):
        with pytest.raises(InvalidInputError, match="^key_id: 'alias/x' is not a KMS key ARN"):
            core.build_grant_request(module_params(state="absent"), "alias/x")

    def test_partition_follows_the_key(self):
        key = f"arn:aws-cn:kms:cn-north-1:{OWNER}:key/abc"
        result = core.build_grant_request(module_params(state="absent", principals=[IMPORTER]), key)
        assert result.partition == "aws-cn" and result.principals == (f"arn:aws-cn:iam::{IMPORTER}:root",)


class TestCheckKey:
    def test_customer_managed_enabled_key_passes(self):
        core.check_key({"Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled"})

    def test_aws_managed_key_refused(self):
        with pytest.raises(OperationError, match="is an AWS managed key: its key policy can't be changed, so a model") as info:
            core.check_key({"Arn": KEY_ARN, "KeyManager": "AWS", "KeyState": "Enabled"})
        assert info.value.details == {"key_arn": KEY_ARN, "key_manager": "AWS"}

    @pytest.mark.parametrize("state", ["Disabled", "PendingDeletion", "PendingReplicaDeletion", "Unavailable"])
    def test_unusable_states_refused(self, state):
        with pytest.raises(OperationError, match=f"is in state {state}, not Enabled") as info:
            core.check_key({"Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": state})
        assert info.value.details["key_state"] == state


# ---------------------------------------------------------------- the guide's example, apply, parse


def test_guide_example_on_the_default_policy_and_back():
    """Done-when: default policy + grant == default statement + the guide's first example; revoke restores."""
    granted = core.plan_change(default_policy(), request())
    assert granted.changed
    expected = default_policy()
    expected["Statement"] += guide_first_example()
    assert policies_equal(without_own_sids(granted.after), expected, "aws")
    assert all(re.match(r"^SeedComprehendImport[A-Za-z0-9]+$", s["Sid"]) for s in granted.after["Statement"][1:])

    revoked = core.plan_change(granted.after, request("absent", principals=None))
    assert revoked.changed and revoked.grants == frozenset()
    assert revoked.after == default_policy()
    assert revoked.after["Statement"][0] is granted.after["Statement"][0]


def test_rerun_changes_nothing_and_returns_the_policy_as_read():
    policy = grant_all(default_policy(), request())
    again = core.plan_change(policy, request())
    assert not again.changed and again.after is policy


def test_aws_normalised_read_back_is_not_a_change():
    """AWS may hand the policy back with account IDs, one-item lists and other case of keys."""
    policy = grant_all(default_policy(), request())
    normalised = json.loads(render_policy(policy))
    for statement in normalised["Statement"][1:]:
        statement["Principal"]["AWS"] = [IMPORTER]
        statement["Action"] = [action.upper() for action in core.as_list(statement["Action"])]
        (operator, keys), = statement["Condition"].items()
        (key, value), = keys.items()
        statement["Condition"] = {operator: {key.lower(): [value]}}
    assert core.read_grants(normalised, "aws") == {(IMPORTER_ROOT, GUIDE_MODEL)}
    assert not core.plan_change(normalised, request()).changed


class TestApply:
    grants = frozenset({(IMPORTER_ROOT, model(version="1")), (OTHER_ROOT, model(version="1")),
                        (IMPORTER_ROOT, model(version="2"))})

    def test_present_purges_the_listed_models_only(self):
        result = core.apply_request(self.grants, request(models=[model(version="1")], principals=[OTHER]))
        assert result == {(OTHER_ROOT, model(version="1")), (IMPORTER_ROOT, model(version="2"))}

    def test_present_without_purge_adds(self):
        result = core.apply_request(self.grants, request(models=[model(version="2")], principals=[OTHER], purge=False))
        assert result == self.grants | {(OTHER_ROOT, model(version="2"))}

    @pytest.mark.parametrize("models, principals, left", [
        ([model(version="1")], [IMPORTER], {(OTHER_ROOT, model(version="1")), (IMPORTER_ROOT, model(version="2"))}),
        ([model(version="1")], None, {(IMPORTER_ROOT, model(version="2"))}),
        (None, [IMPORTER], {(OTHER_ROOT, model(version="1"))}),
        (None, None, set()),
        ([model(version="9")], None, {(IMPORTER_ROOT, model(version="1")), (OTHER_ROOT, model(version="1")),
                                      (IMPORTER_ROOT, model(version="2"))}),
    ])
    def test_absent(self, models, principals, left):
        assert core.apply_request(self.grants, request("absent", models=models, principals=principals)) == left


class TestReadGrants:
    def test_foreign_statements_are_ignored(self):
        policy = default_policy()
        policy["Statement"].append({"Sid": "ComprehendImportByHand", **guide_first_example()[0]})
        assert core.read_grants(policy, "aws") == frozenset()

    def test_half_of_its_own_pair_holds_no_grant(self):
        """The module's Decrypt statement without its CreateGrant partner grants nothing the module counts: a run for
        another principal doesn't complete it, a rerun of the original request writes the pair again."""
        policy = grant_all(default_policy(), request())
        del policy["Statement"][2]
        assert core.read_grants(policy, "aws") == frozenset()
        other = core.plan_change(policy, request(principals=[OTHER], purge=False))
        assert other.grants == {(OTHER_ROOT, GUIDE_MODEL)}
        assert [s["Principal"]["AWS"] for s in other.after["Statement"][1:]] == [OTHER_ROOT, OTHER_ROOT]
        repaired = core.plan_change(policy, request())
        assert repaired.changed and repaired.after == grant_all(default_policy(), request())

    @pytest.mark.parametrize("change, reason", [
        (lambda s: s.update(NotAction="kms:Encrypt"), "has the elements"),
        (lambda s: s.update(Effect="Deny"), 'is not an Allow on Resource "\\*"'),
        (lambda s: s.update(Resource="arn:aws:kms:*"), 'is not an Allow on Resource "\\*"'),
        (lambda s: s.update(Principal="*"), "doesn't name AWS principals only"),
        (lambda s: s.update(Principal={"AWS": IMPORTER_ROOT, "Service": "comprehend.amazonaws.com"}),
         "doesn't name AWS principals only"),
        (lambda s: s.update(Action="kms:*"), "isn't one of its"),
        (lambda s: s.pop("Condition"), "isn't one of its"),
        (lambda s: s.update(Condition={"ArnLike": {"aws:SourceArn": GUIDE_MODEL}}), "isn't one of its"),
        (lambda s: s["Condition"]["StringEquals"].update({"aws:SourceAccount": OWNER}), "isn't one of its"),
        (lambda s: s.update(Condition={"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": GUIDE_MODEL}}),
         "uses the condition key"),
        (lambda s: s.update(Condition={"StringEquals": {"aws:SourceArn": []}}), "has no model ARNs"),
        (lambda s: s.update(Condition={"StringEquals": {"aws:SourceArn": VERSION_PATTERN}}), "has a \\* under StringEquals"),
    ])
    def test_its_statement_edited_into_another_shape_is_left_alone(self, change, reason):
        """Edited, the statement is someone else's: kept as it is, with a warning saying why."""
        policy = grant_all(default_policy(), request())
        statement = policy["Statement"][1]
        change(statement)
        pristine = copy.deepcopy(statement)
        plan = core.plan_change(policy, request(models=[model(version="2")], principals=[OTHER]))
        assert plan.after["Statement"][1] is statement and statement == pristine
        assert plan.grants == {(OTHER_ROOT, model(version="2"))}
        assert len(plan.warnings) == 1 and re.match(f"^The key policy statement '{statement['Sid']}' carries this module's Sid "
                                                    f"prefix 'SeedComprehendImport' but {reason}", plan.warnings[0])

    @pytest.mark.parametrize("change, reason", [
        (lambda s: s.update(Effect="Deny"), 'it is not an Allow on Resource "\\*"'),
        (lambda s: s["Principal"].update(AWS=OTHER_ROOT), "other content"),
    ])
    def test_a_statement_holding_the_sid_it_would_write_stops_it_before_any_write(self, change, reason):
        """KMS wants unique Sids and the statement isn't the module's to replace: refused, naming the Sid."""
        policy = grant_all(default_policy(), request())
        sid = policy["Statement"][1]["Sid"]
        change(policy["Statement"][1])
        with pytest.raises(OperationError, match=f"^The key policy statement '{sid}' has the Sid this module would give one of "
                                                 f"its own statements, but {reason}: .* Nothing was written. Give that "
                                                 "statement another Sid, or remove it.$") as info:
            core.plan_change(policy, request())
        assert info.value.details == {"sid": sid}


def look_alike(principal: str = OTHER_ROOT, model_arn: str = GUIDE_MODEL, kind: int = 0, digest: str = "0123456789abcdef") -> dict:
    """A statement of the module's shape and Sid prefix whose Sid digest is not that of its content."""
    statement = copy.deepcopy(guide_first_example(principal, model_arn)[kind])
    return {"Sid": f"SeedComprehendImport{('Decrypt', 'CreateGrant')[kind]}{digest}", **statement}


def legacy_pair(principals=(IMPORTER_ROOT,), models=(GUIDE_MODEL,)) -> list:
    """The two statements release 0.1.0 rendered: the Sid digest covered the sorted principals only."""
    digest = hashlib.sha256("\n".join(sorted(principals)).encode("utf-8")).hexdigest()[:16]
    return [{"Sid": f"SeedComprehendImport{statement_kind}{digest}", "Effect": "Allow",
             "Principal": {"AWS": core.compact_list(sorted(principals))}, "Action": core.compact_list(list(actions)), "Resource": "*",
             "Condition": {"StringEquals": {key: core.compact_list(sorted(models))}}}
            for statement_kind, actions, key in core.STATEMENT_KINDS]


class TestOwnership:
    """Only statements whose Sid digests their own content are the module's; look-alikes stay exactly as they are."""

    def policy_with(self, *statements: dict) -> dict:
        policy = default_policy()
        policy["Statement"] += list(statements)
        return policy

    @pytest.mark.parametrize("purge", [False, True])
    def test_a_partner_that_may_only_decrypt_gains_and_loses_nothing(self, purge):
        decrypt_only = look_alike()
        policy = self.policy_with(decrypt_only)
        plan = core.plan_change(policy, request(purge=purge))
        assert plan.grants == {(IMPORTER_ROOT, GUIDE_MODEL)}
        assert plan.after["Statement"][1] is decrypt_only and decrypt_only == look_alike()
        assert not any(OTHER_ROOT in json.dumps(statement) for statement in plan.after["Statement"][2:])
        assert plan.warnings == (f"The key policy statement {decrypt_only['Sid']!r} carries this module's Sid prefix "
                                 "'SeedComprehendImport' but has a Sid that is not the digest of its content: the module didn't "
                                 "write it as it is, so it left it alone, and its grants aren't in the module's grants",)

    def test_a_complete_look_alike_pair_is_not_revoked_by_removing_everything(self):
        pair = [look_alike(kind=0), look_alike(kind=1, digest="fedcba9876543210")]
        policy = grant_all(self.policy_with(*pair), request())
        plan = core.plan_change(policy, request("absent", models=None, principals=None))
        assert plan.after["Statement"] == policy["Statement"][:3] and plan.after["Statement"][1] is pair[0]
        assert len(plan.warnings) == 2

    def test_what_kms_hands_back_is_still_proven(self):
        """Account IDs for root ARNs, other orders, list forms, action case and condition key case keep the proof."""
        grants = {(principal, model(version=version)) for principal in (IMPORTER_ROOT, OTHER_ROOT) for version in ("1", "2")}
        policy = self.policy_with(*core.render_owned(grants))
        normalised = json.loads(render_policy(policy))
        for statement in normalised["Statement"][1:]:
            statement["Principal"]["AWS"] = [OTHER, IMPORTER]
            statement["Action"] = [action.upper() for action in reversed(core.as_list(statement["Action"]))]
            (operator, keys), = statement["Condition"].items()
            (key, values), = keys.items()
            statement["Condition"] = {operator: {key.lower(): list(reversed(values))}}
        assert all(core.owns(statement, "aws") for statement in normalised["Statement"][1:])
        assert core.read_grants(normalised, "aws") == grants
        assert not core.plan_change(normalised, request(models=[model(version="1"), model(version="2")],
                                                        principals=[IMPORTER, OTHER])).changed

    def test_a_pair_written_by_release_0_1_0_is_adopted_once_and_rewritten(self):
        """Upgrading must not double the grants: the exact 0.1.0 pair is the module's and gets the current Sids."""
        old = legacy_pair(principals=(OTHER_ROOT, IMPORTER_ROOT), models=(model(version="1"), model(version="2")))
        policy = self.policy_with(*old)
        grants = {(principal, model(version=version)) for principal in (IMPORTER_ROOT, OTHER_ROOT) for version in ("1", "2")}
        assert core.read_grants(policy, "aws") == grants
        plan = core.plan_change(policy, request(models=[model(version="1")], principals=[IMPORTER, OTHER]))
        assert plan.changed and plan.warnings == () and plan.grants == grants
        assert plan.after == self.policy_with(*core.render_owned(grants))
        assert not core.plan_change(plan.after, request(models=[model(version="1")], principals=[IMPORTER, OTHER])).changed

    @pytest.mark.parametrize("damage", [
        lambda pair: pair[:1],  # a lone Decrypt statement
        lambda pair: [pair[0], dict(pair[1], Condition={"StringEquals": {core.CONTEXT_KEY: model(version="9")}})],
        lambda pair: [pair[0], dict(pair[1], Principal={"AWS": OTHER_ROOT})],
    ])
    def test_anything_but_an_exact_0_1_0_pair_is_left_alone(self, damage):
        statements = damage(legacy_pair())
        policy = self.policy_with(*statements)
        pristine = copy.deepcopy(policy)
        plan = core.plan_change(policy, request(principals=[OTHER], purge=False))
        assert plan.grants == {(OTHER_ROOT, GUIDE_MODEL)}
        assert plan.after["Statement"][:len(policy["Statement"])] == pristine["Statement"]
        assert all(after is before for after, before in zip(plan.after["Statement"], policy["Statement"]))
        assert plan.warnings and "release 0.1.0 wrote, without its exact other half" in plan.warnings[0]

    def test_look_alikes_must_survive_a_write(self):
        policy = self.policy_with(look_alike())
        plan = core.plan_change(policy, request())
        stored = copy.deepcopy(plan.after)
        assert core.verify_written(plan, stored, "aws") == []
        del stored["Statement"][1]
        assert core.verify_written(plan, stored, "aws") == [
            f"the statement {look_alike()['Sid']!r} that was there before is gone or changed"]


# ---------------------------------------------------------------- rendering and placement


class TestRender:
    def test_models_sharing_principals_share_one_pair(self):
        models = [model(version=str(number)) for number in range(5)]
        statements = core.render_owned({(IMPORTER_ROOT, item) for item in models})
        assert len(statements) == 2
        assert statements[0]["Condition"] == {"StringEquals": {"aws:SourceArn": sorted(models)}}
        assert statements[1]["Condition"] == {"StringEquals": {core.CONTEXT_KEY: sorted(models)}}

    def test_other_principal_sets_and_patterns_get_their_own_pairs(self):
        grants = {(IMPORTER_ROOT, model(version="1")), (IMPORTER_ROOT, model(version="2")),
                  (OTHER_ROOT, model(version="2")), (IMPORTER_ROOT, VERSION_PATTERN)}
        statements = core.render_owned(grants)
        summary = [(s["Principal"]["AWS"], s["Action"], s["Condition"]) for s in statements]
        assert summary == [
            ([OTHER_ROOT, IMPORTER_ROOT], ["kms:Decrypt", "kms:GenerateDataKey"],
             {"StringEquals": {"aws:SourceArn": model(version="2")}}),
            ([OTHER_ROOT, IMPORTER_ROOT], "kms:CreateGrant", {"StringEquals": {core.CONTEXT_KEY: model(version="2")}}),
            (IMPORTER_ROOT, ["kms:Decrypt", "kms:GenerateDataKey"], {"StringEquals": {"aws:SourceArn": model(version="1")}}),
            (IMPORTER_ROOT, "kms:CreateGrant", {"StringEquals": {core.CONTEXT_KEY: model(version="1")}}),
            (IMPORTER_ROOT, ["kms:Decrypt", "kms:GenerateDataKey"], {"StringLike": {"aws:SourceArn": VERSION_PATTERN}}),
            (IMPORTER_ROOT, "kms:CreateGrant", {"StringLike": {core.CONTEXT_KEY: VERSION_PATTERN}}),
        ]
        sids = [s["Sid"] for s in statements]
        assert len(set(sids)) == len(sids)
        assert all(re.match(r"^SeedComprehendImport(Decrypt|CreateGrant)(Like)?[0-9a-f]{16}$", sid) for sid in sids)

    def test_sids_carry_a_digest_of_the_whole_content(self):
        first = core.render_owned({(IMPORTER_ROOT, model(version="1"))})
        second = core.render_owned({(IMPORTER_ROOT, model(version="1")), (IMPORTER_ROOT, model(version="2"))})
        third = core.render_owned({(OTHER_ROOT, model(version="1"))})
        sids = [statement["Sid"] for statements in (first, second, third) for statement in statements]
        assert len(set(sids)) == 6 and all(core.owns(statement, "aws") for statement in first + second + third)

    def test_rendering_is_deterministic(self):
        grants = [(principal, model(version=str(number))) for principal in (IMPORTER_ROOT, OTHER_ROOT) for number in range(4)]
        assert core.render_owned(grants) == core.render_owned(reversed(grants))


class TestPlacement:
    def test_foreign_statements_stay_as_they_are_and_where_they_are(self):
        first, last = {"Sid": "First", "Effect": "Allow"}, {"Sid": "Last", "Effect": "Deny"}
        owned = core.render_owned({(IMPORTER_ROOT, GUIDE_MODEL)})
        policy = {"Version": "2012-10-17", "Statement": [first, owned[0], last, owned[1]]}
        after = core.compose_policy(policy, {1, 3}, core.render_owned({(OTHER_ROOT, GUIDE_MODEL)}))
        assert after["Statement"][0] is first and after["Statement"][3] is last
        assert [s["Principal"]["AWS"] for s in after["Statement"][1:3]] == [OTHER_ROOT, OTHER_ROOT]
        assert policy["Statement"] == [first, owned[0], last, owned[1]]

    def test_without_owned_statements_the_block_goes_last(self):
        policy = default_policy()
        after = core.compose_policy(policy, set(), core.render_owned({(IMPORTER_ROOT, GUIDE_MODEL)}))
        assert after["Statement"][0] is policy["Statement"][0] and len(after["Statement"]) == 3
        assert list(after) == ["Version", "Id", "Statement"]

    def test_removing_the_last_statements_is_refused(self):
        policy = {"Version": "2012-10-17", "Statement": core.render_owned({(IMPORTER_ROOT, GUIDE_MODEL)})}
        with pytest.raises(OperationError, match="would leave it empty"):
            core.plan_change(policy, request("absent", principals=None))


# ---------------------------------------------------------------- size


class TestSize:
    def test_150_model_versions_to_one_account_fit(self):
        models = [model(name=f"classifier-{number // 10:02d}", version=f"v{number % 10}") for number in range(150)]
        plan = core.plan_change(default_policy(), request(models=models))
        assert plan.changed and len(plan.after["Statement"]) == 3
        assert core.policy_size(plan.after) <= core.POLICY_SIZE_LIMIT

    def test_over_the_limit_fails_with_the_count_that_fits_and_a_pattern(self):
        models = [model(name="customer-support-ticket-classifier", version=f"release-{n:04d}") for n in range(300)]
        with pytest.raises(OperationError, match=r"^The key policy would be \d+ bytes, over the KMS limit of 32768 bytes: "
                                                 r"only \d+ of the 300 \(principal, model\) grants fit. Nothing was written. "
                                                 r"Grant a pattern instead of single models, such as ") as info:
            core.plan_change(default_policy(), request(models=models))
        details = info.value.details
        assert details["suggested_pattern"] == model(name="customer-support-ticket-classifier", version="*")
        fit = details["grants_that_fit"]
        assert 0 < fit < 300 and details["policy_size"] > core.POLICY_SIZE_LIMIT
        ordered = sorted((IMPORTER_ROOT, item) for item in models)
        for count, fits in ((fit, True), (fit + 1, False)):
            size = core.policy_size(core.compose_policy(default_policy(), set(), core.render_owned(ordered[:count])))
            assert (size <= core.POLICY_SIZE_LIMIT) is fits
        assert not core.plan_change(default_policy(), request(models=models[:fit])).after is None

    @pytest.mark.parametrize("models, expected", [
        ([model(name="a", version="1"), model(name="b", version="1")],
         f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/*"),
        ([model(name="a", version="1"), model(name="b", version="1"), model(name="b", version="2")], model(name="b", version="*")),
        ([VERSION_PATTERN, "not an ARN"], None),
    ])
    def test_suggested_pattern(self, models, expected):
        assert core.suggest_pattern(models) == expected

    def test_the_default_limit_accepts_exactly_32768_bytes_as_sent(self):
        """KMS counts the bytes of the policy text as sent: the check must not refuse one byte less."""
        plan = core.plan_change(default_policy(), request())
        padding = 32768 - core.policy_size(plan.after)
        policy = default_policy()
        policy["Statement"][0]["Sid"] += "é" * (padding // 2) + "x" * (padding % 2)  # two bytes each in UTF-8
        assert core.policy_size(core.plan_change(policy, request()).after) == 32768
        policy["Statement"][0]["Sid"] += "x"
        with pytest.raises(OperationError, match="^The key policy would be 32769 bytes, over the KMS limit of 32768 bytes: "
                                                 "only 0 of the 1"):
            core.plan_change(policy, request())

    def test_a_lowered_limit_refuses_before_any_write_and_a_raised_one_accepts(self):
        size = core.policy_size(core.plan_change(default_policy(), request()).after)
        params = {"state": "present", "model_arns": [GUIDE_MODEL], "principals": [IMPORTER]}
        assert core.plan_change(default_policy(), core.build_grant_request(module_params(**params, policy_size_limit=size), KEY_ARN)).changed
        with pytest.raises(OperationError, match=f"^The key policy would be {size} bytes, over the limit of {size - 1} bytes "
                                                 r"set by policy_size_limit \(share_model_key_policy_size_limit in the share_model role; "
                                                 r"KMS documents 32768\): only 0 of the 1"):
            core.plan_change(default_policy(), core.build_grant_request(module_params(**params, policy_size_limit=size - 1), KEY_ARN))
        models = [model(name="customer-support-ticket-classifier", version=f"release-{n:04d}") for n in range(300)]
        raised = core.build_grant_request(module_params(**{**params, "model_arns": models, "policy_size_limit": 10 ** 6}), KEY_ARN)
        assert core.policy_size(core.plan_change(default_policy(), raised).after) > core.POLICY_SIZE_LIMIT

    def test_shrinking_is_never_refused(self):
        huge = {"Sid": "Big", "Effect": "Allow", "Principal": "*", "Action": "kms:Describe*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/x": ["y" * 40000]}}}
        policy = grant_all(default_policy(), request())
        policy["Statement"].append(huge)
        assert core.plan_change(policy, request("absent", principals=None)).changed


# ---------------------------------------------------------------- verification after a write


class TestVerify:
    def setup_method(self):
        self.before = default_policy()
        self.before["Statement"].append({"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": OTHER},
                                         "Action": "kms:Encrypt", "Resource": "*"})
        self.plan = core.plan_change(self.before, request())

    def test_as_written_and_as_aws_normalises_it(self):
        assert core.verify_written(self.plan, json.loads(render_policy(self.plan.after)), "aws") == []
        stored = json.loads(render_policy(self.plan.after))
        stored["Statement"][1]["Principal"]["AWS"] = OTHER_ROOT
        stored["Statement"].append({"Sid": "NewByOthers", "Effect": "Allow"})
        assert core.verify_written(self.plan, stored, "aws") == []

    def test_own_statements_missing(self):
        assert core.verify_written(self.plan, self.before, "aws") == ["this module's statements are not as written"]

    def test_foreign_statement_lost_or_changed(self):
        stored = copy.deepcopy(self.plan.after)
        stored["Statement"][1]["Action"] = "kms:*"
        del stored["Statement"][0]
        assert core.verify_written(self.plan, stored, "aws") == [
            "the statement 'Enable IAM User Permissions' that was there before is gone or changed",
            "the statement 'Other' that was there before is gone or changed",
        ]

    def test_duplicate_foreign_statements_are_counted(self):
        before = default_policy()
        before["Statement"] *= 2
        plan = core.plan_change(before, request())
        stored = copy.deepcopy(plan.after)
        del stored["Statement"][1]
        assert len(core.verify_written(plan, stored, "aws")) == 1


def test_grants_result():
    grants = {(OTHER_ROOT, model(version="2")), (IMPORTER_ROOT, model(version="2")), (IMPORTER_ROOT, model(version="1"))}
    assert core.grants_result(grants) == [
        {"model_arn": model(version="1"), "principals": [IMPORTER_ROOT]},
        {"model_arn": model(version="2"), "principals": [OTHER_ROOT, IMPORTER_ROOT]},
    ]


# ---------------------------------------------------------------- property: foreign statements are untouchable

ACCOUNTS = st.sampled_from([OWNER, IMPORTER, OTHER, "210987654321"])
# Short texts from a small alphabet keep generation fast; it still has spaces, wildcards and non-ASCII.
TEXTS = st.text(alphabet="aZ9 -_*:/\u00e9\u20ac\"", max_size=10)
SCALARS = st.one_of(TEXTS, st.integers(-5, 5), st.booleans(), st.none())
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3), max_leaves=4)
FOREIGN_SIDS = st.one_of(
    TEXTS,
    st.sampled_from(["SeedComprehend", "seedcomprehendimportx", "XSeedComprehendImportDecrypt", "Enable IAM User Permissions"]),
)
PRINCIPALS = st.one_of(
    st.just("*"),
    st.fixed_dictionaries({"AWS": st.one_of(ACCOUNTS, st.lists(ACCOUNTS.map(lambda a: f"arn:aws:iam::{a}:root"), max_size=3))}),
    st.fixed_dictionaries({"Service": st.just("comprehend.amazonaws.com")}),
)
ACTIONS = st.sampled_from(["kms:*", "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:Describe*", "KMS:ENCRYPT"])
MODELS = st.builds(model, name=st.sampled_from(["classifierName", "a", "ner-1"]), version=st.sampled_from(["1", "2", "v3"]))


@st.composite
def foreign_statements(draw):
    statement = {}
    sid = draw(st.one_of(st.none(), FOREIGN_SIDS))
    if sid is not None:
        statement["Sid"] = sid
    statement["Effect"] = draw(st.sampled_from(["Allow", "Deny"]))
    statement[draw(st.sampled_from(["Principal", "NotPrincipal"]))] = draw(PRINCIPALS)
    statement[draw(st.sampled_from(["Action", "NotAction"]))] = draw(st.one_of(ACTIONS, st.lists(ACTIONS, max_size=3)))
    statement["Resource"] = draw(st.sampled_from(["*", ["*"], KEY_ARN]))
    if draw(st.booleans()):
        # Look-alikes of the module's own statements, by hand: same actions and conditions, another Sid.
        statement["Condition"] = draw(st.one_of(
            st.fixed_dictionaries({"StringEquals": st.fixed_dictionaries({core.SOURCE_ARN_KEY: MODELS})}),
            st.fixed_dictionaries({"StringLike": st.fixed_dictionaries({core.CONTEXT_KEY: st.just("arn:aws:comprehend:*")})}),
            st.dictionaries(st.sampled_from(["Bool", "StringEquals", "IpAddress"]),
                            st.dictionaries(TEXTS.filter(bool), JSON_VALUES, max_size=2), max_size=2),
        ))
    extra = draw(st.dictionaries(st.sampled_from(["Odd", "Unicode\u00e9", "Nested"]), JSON_VALUES, max_size=2))
    statement.update(extra)
    return statement


GRANTS = st.frozensets(st.tuples(ACCOUNTS.map(lambda a: f"arn:aws:iam::{a}:root"), st.one_of(MODELS, st.just(VERSION_PATTERN))),
                       max_size=6)
REQUESTS = st.builds(
    request,
    st.sampled_from(["present", "absent"]),
    st.lists(st.one_of(MODELS, st.just(VERSION_PATTERN)), min_size=1, max_size=3),
    st.lists(ACCOUNTS, min_size=1, max_size=2),
    st.booleans(),
) | st.just(request("absent", models=None, principals=None))


@st.composite
def key_policies(draw):
    """A key policy with random foreign statements and the module's statements interleaved anywhere."""
    foreign = draw(st.lists(foreign_statements(), min_size=1, max_size=6))
    owned = core.render_owned(draw(GRANTS))
    statements = list(foreign)
    for statement in owned:
        statements.insert(draw(st.integers(0, len(statements))), statement)
    policy = {"Version": "2012-10-17"}
    if draw(st.booleans()):
        policy["Id"] = draw(st.text(max_size=10))
    policy["Statement"] = statements
    return policy


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=key_policies(), change=REQUESTS)
def test_foreign_statements_are_never_changed_lost_or_moved(policy, change):
    pristine = copy.deepcopy(policy)
    foreign = [statement for statement in policy["Statement"] if not core.owns(statement, "aws")]
    first_owned = next((i for i, s in enumerate(policy["Statement"]) if core.owns(s, "aws")), len(policy["Statement"]))

    plan = core.plan_change(policy, change)
    after = plan.after["Statement"]

    assert policy == pristine  # the input is never mutated
    kept = [statement for statement in after if not core.owns(statement, "aws")]
    assert len(kept) == len(foreign) and all(a is b for a, b in zip(kept, foreign))  # same objects, same order
    assert all(after[index] is policy["Statement"][index] for index in range(first_owned))  # same place
    assert all(statement == pristine_statement for statement, pristine_statement in
               zip(kept, [s for s in pristine["Statement"] if not core.owns(s, "aws")]))  # unchanged
    assert [key for key in plan.after if key != "Statement"] == [key for key in policy if key != "Statement"]
    if plan.changed:  # the module's statements are rewritten as one block where the first one was
        owned_indices = [index for index, statement in enumerate(after) if core.owns(statement, "aws")]
        assert owned_indices == list(range(first_owned, first_owned + len(owned_indices)))
    else:
        assert plan.after is policy

    # What was planned reads back as planned (also through JSON), and a rerun changes nothing.
    stored = json.loads(render_policy(plan.after))
    assert core.read_grants(stored, "aws") == plan.grants
    assert core.verify_written(plan, stored, "aws") == []
    assert not core.plan_change(stored, change).changed
