# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests of the principal and region rules shared by comprehend_resource_policy, kms_comprehend_grant
and the share_model role: real ansible-playbook runs against the emulator (fixtures in conftest.py). A principal that
breaks IAM's naming rules, or an ARN with an empty or upper-case region, is refused with a message naming the
option, before any write; the policies AWS holds are unchanged."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

from helpers_kms import IMPORTER, REGION, key_policy, model_arn

ROLE = f"arn:aws:iam::{IMPORTER}:role/"
# (principal, the start of the message): IAM names are ASCII, at most 64 characters, paths hold no wildcard.
BAD_PRINCIPALS: List[Tuple[str, str]] = [
    (ROLE + "R\u00f4le", f"principals: '{ROLE}R\u00f4le' is not an IAM role ARN by IAM's naming rules"),
    (ROLE + "a*/x", f"principals: the wildcard '{ROLE}a*/x' is refused"),
    (f"arn:aws:iam::{IMPORTER}:user/", f"principals: 'arn:aws:iam::{IMPORTER}:user/' is not an IAM user ARN by IAM's naming rules"),
    (ROLE + "r" * 65, f"principals: '{ROLE}{'r' * 65}' is not an IAM role ARN by IAM's naming rules"),
]


def assert_refused(results: List[Dict[str, Any]], messages: List[str]) -> None:
    assert len(results) == len(messages)
    for result, message in zip(results, messages):
        assert result["failed"] is True and result["msg"].startswith(message), (message, result.get("msg"))
        assert "Traceback" not in json.dumps(result), result


def test_resource_policy_refuses_principals_and_regions_before_any_write(aws, playbook):
    arn = aws.create_model(aws.owner, version="v1", policy={
        "Version": "2012-10-17", "Statement": [{"Sid": "ResourcePolicyForImportModel", "Effect": "Allow",
                                                "Action": "comprehend:ImportModel", "Resource": "*",
                                                "Principal": {"AWS": f"arn:aws:iam::{IMPORTER}:root"}}]})
    before = aws.owner.client("comprehend").describe_resource_policy(ResourceArn=arn)
    aws.reset_calls()
    upper = arn.replace(f":{REGION}:", ":US-WEST-2:")
    empty = arn.replace(f":{REGION}:", "::")
    steps = [{"principals": [IMPORTER, principal]} for principal, _message in BAD_PRINCIPALS]
    steps += [{"principals": [IMPORTER, principal], "allow_wildcard_principal": True} for principal in (ROLE + "a*/x",)]
    steps += [{"resource_arn": upper, "principals": [IMPORTER]}, {"resource_arn": empty, "state": "absent"},
              {"resource_arns": [arn, upper], "principals": [IMPORTER]}]

    run = playbook("resource_policy/steps.yml", resource_arn=arn, steps=steps)

    assert run.rc == 0, run.stdout
    assert_refused(run.result("steps"), [message for _principal, message in BAD_PRINCIPALS] + [
        f"principals: the wildcard '{ROLE}a*/x' is refused: a principal can't be a pattern",
        f"resource_arn: '{upper}' names the region 'US-WEST-2'; a model ARN names its region in lower case",
        f"resource_arn: '{empty}' names the region ''; a model ARN names its region in lower case",
        f"resource_arns: '{upper}' names the region 'US-WEST-2'",
    ])
    assert aws.write_calls() == []
    after = aws.owner.client("comprehend").describe_resource_policy(ResourceArn=arn)
    assert (after["ResourcePolicy"], after["PolicyRevisionId"]) == (before["ResourcePolicy"], before["PolicyRevisionId"])


def test_kms_grant_refuses_principals_and_regions_before_any_write(aws, playbook):
    key_arn = aws.create_key(aws.owner)
    before = key_policy(aws.owner, key_arn)
    aws.reset_calls()
    model = model_arn("tickets", "v1")
    upper = model.replace(f":{REGION}:", ":US-WEST-2:")
    steps = [{"principals": [IMPORTER, principal]} for principal, _message in BAD_PRINCIPALS]
    steps += [{"model_arns": [model, upper]}, {"model_arns": [model.replace(f":{REGION}:", "::")]}]

    run = playbook("principal_rules/kms_steps.yml", key_id=key_arn, model_arns=[model], principals=[IMPORTER], steps=steps)

    assert run.rc == 0, run.stdout
    assert_refused(run.result("steps"), [message for _principal, message in BAD_PRINCIPALS] + [
        f"model_arns: '{upper}' names the region 'US-WEST-2'; a model ARN names its region in lower case",
        f"model_arns: '{model.replace(f':{REGION}:', '::')}' names the region ''",
    ])
    assert aws.write_calls() == []
    assert key_policy(aws.owner, key_arn) == before


def test_share_role_refuses_its_principals_before_any_call_whoever_the_key_policies_name(aws, playbook):
    """The role's own check of share_model_principals: with share_model_key_principals given, nothing else refuses a
    service principal (a resource policy may name one, but the importer refuses it in the handoff) or an empty list
    (an unshare would remove every principal's key grants of the models)."""
    key_arn = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key_arn)
    aws.reset_calls()
    # (share_model_principals, share_model_state, the message); an empty list matters most to an unshare.
    cases = [([IMPORTER, principal], "present", "share_model_" + message) for principal, message in BAD_PRINCIPALS if principal.isascii()]
    cases += [([IMPORTER, "comprehend.amazonaws.com"], "present",
               "share_model_principals: 'comprehend.amazonaws.com' is not a 12-digit account ID"),
              ([], "absent", "share_model_principals must be a non-empty list of account IDs or IAM user/role ARNs")]
    for key_principals in ([], [f"arn:aws:iam::{IMPORTER}:root"]):
        for principals, state, message in cases:
            run = playbook("share/share.yml", share_model_arns=[model], share_model_principals=principals,
                           share_model_key_principals=key_principals, share_model_state=state)
            assert run.rc != 0 and message in run.stdout, (key_principals, principals, run.stdout)
    assert aws.calls() == []
