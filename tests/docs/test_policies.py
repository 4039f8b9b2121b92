"""The least-privilege IAM policies of docs/iam/: valid IAM JSON, exactly the actions the plays call, and enough.

* The policies load and are valid identity-based policies (moto's port of IAM's validator, botocore's operations),
  and parliament (with its community auditors) finds nothing in them but the permissions management the share and
  import operators need by design.
* With the emulator's IAM enforcement on, the share and import plays succeed as IAM users holding only these
  policies (``granted``), and the actions in the emulator's call log of those runs are exactly the policies'
  actions, give or take the documented exceptions: ``iam:PassRole`` and, under forward access, the KMS actions on the
  source key (permissions ImportModel checks, with no call of their own), ``sts:GetCallerIdentity`` (needs no
  permission) and ``iam:ListAccountAliases`` (asked for by amazon.aws.aws_caller_info, which goes on without it).
* Taking any one action away (``denied``) makes the step that needs it fail with AWS's "is not authorized to
  perform: ACTION", or, where amazon.aws swallows the refusal, makes the play lose its idempotence.
* The audit policy is read only and holds exactly the actions of ``ansible-playbook seed.comprehend.audit``; a read it
  lacks fails the play or is reported in share-audit.json with AWS's refusal (and share-audit.md says "not known").
  audit_shares_fix needs, besides, kms:PutKeyPolicy only, which the share policy holds.
"""

from __future__ import annotations

import json
import re

from pathlib import Path

import botocore.session
import parliament
import pytest
from moto.iam.policy_validation import IAMPolicyDocumentValidator

import iam_scenarios as scenarios
from iam_scenarios import IMPLICIT_PERMISSIONS, NO_PERMISSION_NEEDED, TOLERATED_REFUSALS

POLICIES = {"share": scenarios.SHARE_POLICY, "import": scenarios.IMPORT_POLICY, "audit": scenarios.AUDIT_POLICY}
SHARE_ACTIONS = scenarios.policy_actions(scenarios.load_policy(scenarios.SHARE_POLICY))
IMPORT_ACTIONS = scenarios.policy_actions(scenarios.load_policy(scenarios.IMPORT_POLICY))
AUDIT_ACTIONS = scenarios.policy_actions(scenarios.load_policy(scenarios.AUDIT_POLICY))
# parliament's findings that the policies have by design, and why.
PARLIAMENT_ACCEPTED = {
    ("share", "PERMISSIONS_MANAGEMENT_ACTIONS"): "kms:PutKeyPolicy: the share operator grants the model keys",
    ("import", "PERMISSIONS_MANAGEMENT_ACTIONS"):
        "iam:PutRolePolicy and kms:CreateGrant: the import operator manages its service role, and Comprehend uses the "
        "source key through a grant",
}
parliament.override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")
ARN = re.compile(r"^arn:aws:(?P<service>comprehend|kms|iam):(?P<region>[a-z0-9-]*|\*):(?P<account>\d{12}|\*)?:(?P<resource>.+)$")
RESOURCE_TYPES = {"comprehend": ("document-classifier/", "entity-recognizer/"), "kms": ("key/",), "iam": ("role/",)}
PLACEHOLDERS = {scenarios.OWNER_PLACEHOLDER, scenarios.IMPORTER_PLACEHOLDER}
MANAGED_POLICY_MAX_CHARS = 6144  # IAM's quota for a managed policy, white space excluded


def statements_of(path):
    return scenarios.load_policy(path)["Statement"]


@pytest.mark.parametrize("side", sorted(POLICIES))
def test_policy_is_a_valid_identity_based_policy(side):
    text = POLICIES[side].read_text(encoding="utf-8")
    document = json.loads(text)
    IAMPolicyDocumentValidator(text).validate()  # raises MalformedPolicyDocument like IAM's CreatePolicy
    assert document["Version"] == "2012-10-17"
    assert len(re.sub(r"\s", "", text)) <= MANAGED_POLICY_MAX_CHARS
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids)) and all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids)
    for statement in document["Statement"]:
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, statement
        assert statement["Effect"] == "Allow" and "Principal" not in statement


@pytest.mark.parametrize("side", sorted(POLICIES))
def test_every_action_is_a_real_operation_or_a_known_permission(side):
    session = botocore.session.get_session()
    for action in scenarios.policy_actions(scenarios.load_policy(POLICIES[side])):
        assert "*" not in action, f"{action}: least privilege means no wildcard actions"
        service, operation = action.split(":")
        if action in IMPLICIT_PERMISSIONS:
            continue
        assert operation in session.get_service_model(service).operation_names, f"{action} is no {service} operation"


@pytest.mark.parametrize("side", sorted(POLICIES))
def test_policy_passes_parliament(side):
    analysed = parliament.analyze_policy_string(POLICIES[side].read_text(encoding="utf-8"), include_community_auditors=True)
    found = sorted((finding.issue, parliament.enhance_finding(finding).severity) for finding in analysed.findings)
    assert [issue for issue, _severity in found if (side, issue) not in PARLIAMENT_ACCEPTED] == [], found


@pytest.mark.parametrize("side", sorted(POLICIES))
def test_resources_are_scoped_to_the_placeholder_accounts(side):
    for statement in statements_of(POLICIES[side]):
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        if resources == ["*"]:
            assert set(actions) <= scenarios.UNSCOPED_ACTIONS, f"{statement['Sid']}: only actions without resources take *"
            continue
        for resource in resources:
            match = ARN.match(resource)
            assert match, f"{statement['Sid']}: {resource} is not a scoped ARN"
            assert match["account"] in PLACEHOLDERS, f"{resource}: use the placeholder accounts of the docs"
            assert match["resource"].startswith(RESOURCE_TYPES[match["service"]]), resource
            assert all(action.startswith(match["service"] + ":") for action in actions), statement["Sid"]


def test_pass_role_only_to_comprehend():
    (statement,) = [s for s in statements_of(scenarios.IMPORT_POLICY) if "iam:PassRole" in json.dumps(s["Action"])]
    assert statement["Action"] == "iam:PassRole"
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "comprehend.amazonaws.com"}}
    assert statement["Resource"].endswith(f":role/{scenarios.ROLE_NAME}")


def granted_actions(steps):
    return {action for step in steps for action in step.actions} - TOLERATED_REFUSALS


def test_share_policy_holds_exactly_the_actions_the_share_and_unshare_plays_call(granted):
    assert [step.name for step in granted.share] == list(scenarios.SHARE_STEPS)
    assert granted_actions(granted.share) - NO_PERMISSION_NEEDED == set(SHARE_ACTIONS) - set(IMPLICIT_PERMISSIONS)


def test_import_policy_holds_exactly_the_actions_the_import_plays_call(granted):
    assert [step.name for step in granted.imports] == list(scenarios.IMPORT_STEPS)
    assert granted_actions(granted.imports) - NO_PERMISSION_NEEDED == set(IMPORT_ACTIONS) - set(IMPLICIT_PERMISSIONS)
    for action, needed_by in IMPLICIT_PERMISSIONS.items():
        assert needed_by in granted_actions(granted.imports), f"{action} is only needed by {needed_by}, which no play called"


def test_plays_succeed_as_iam_users_holding_only_the_policies(granted):
    for step in granted.share + granted.imports:
        assert step.rc == 0, f"{step.name} failed under the documented policy:\n{step.output[-4000:]}"
        refused = {scenarios.call_action(call) for call in step.calls if call["status"] == 403}
        assert refused <= TOLERATED_REFUSALS, f"{step.name}: {sorted(refused)} refused"
    steps = {step.name: step for step in granted.imports}
    assert "comprehend:ImportModel" in steps["import"].writes and "iam:CreateRole" in steps["import"].writes
    assert {"iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"} <= set(steps["update"].writes)
    assert steps["import again"].writes == [], "the second import must change nothing"
    assert "changed=0" in steps["import again"].output


def failing_message(output: str) -> str:
    """The lines in which Ansible reports the failed task."""
    return "\n".join(line for line in output.splitlines() if line.startswith(("fatal:", "failed:")))


@pytest.mark.parametrize("side,action", [("share", a) for a in SHARE_ACTIONS] + [("import", a) for a in IMPORT_ACTIONS])
def test_removing_any_one_action_breaks_the_play(denied, side, action):
    """Without the action the step that needs it fails, naming it; or, where amazon.aws takes AccessDenied for "nothing
    there" (iam_policy does so for ListRolePolicies and GetRolePolicy), the play succeeds but its second run fails
    naming the action or stops being idempotent."""
    must_fail = denied.expected[(side, action)]
    steps = denied.runs[(side, action)]
    assert must_fail is not None, f"no step of the {side} scenario needs {action}: it does not belong in the policy"
    names = [step.name for step in steps]
    assert must_fail in names, f"{names}: a step before {must_fail} failed without {action}"
    for step in steps[:names.index(must_fail)]:
        assert step.rc == 0, f"{step.name} failed without {action}, but only {must_fail} needs it:\n{step.output[-4000:]}"
    step = steps[names.index(must_fail)]
    if step.rc != 0:
        message = failing_message(step.output)
        # The KMS actions that Comprehend performs for ImportModel come back inside its KmsKeyValidationException.
        refusal = f"don't allow {action}" if action.startswith("kms:") and action in IMPLICIT_PERMISSIONS else \
            f"is not authorized to perform: {action}"
        assert refusal in message, step.output[-4000:]
        return
    again = steps[-1]
    assert again.name == f"{must_fail} again", again.output[-4000:]
    if again.rc != 0:  # the import play reads the role's inline policies itself (iam_policy_info) once they exist
        assert f"is not authorized to perform: {action}" in failing_message(again.output), again.output[-4000:]
        return
    assert again.writes, f"without {action} the {side} play still succeeds and its second run changes nothing"


def test_audit_policy_holds_exactly_the_actions_the_audit_play_calls(granted):
    assert [step.name for step in granted.audit] == list(scenarios.AUDIT_STEPS)
    audit = granted.audit[0]
    assert audit.rc == 0, audit.output[-4000:]
    assert granted_actions([audit]) - NO_PERMISSION_NEEDED == set(AUDIT_ACTIONS)
    assert audit.writes == [], "the audit only reads"
    assert "import_will_fail" in audit.output and "stale_key_access" in audit.output, "the drift is found"
    assert "is not authorized to perform" not in audit.output


def test_audit_fix_needs_only_the_share_policys_put_key_policy_besides(granted):
    fix = granted.audit[1]
    assert fix.rc == 0, fix.output[-4000:]
    assert granted_actions([fix]) - NO_PERMISSION_NEEDED - set(AUDIT_ACTIONS) == {"kms:PutKeyPolicy"}
    assert "kms:PutKeyPolicy" in SHARE_ACTIONS and fix.writes == ["kms:PutKeyPolicy"]
    assert '"findings": []' in fix.output, "the fix leaves nothing to find"
    assert "is not authorized to perform" not in fix.output


@pytest.mark.parametrize("action", AUDIT_ACTIONS)
def test_removing_any_one_action_breaks_the_audit(denied, action):
    """Without the action the audit fails naming it (the listings), or reports the refusal, naming it, in
    share-audit.json (the reads of one model's resource policy or one key, which the audit goes on without), and the
    report doesn't take what it couldn't read for "nobody"."""
    (step,) = denied.runs[("audit", action)]
    assert step.name == "audit"
    assert f"is not authorized to perform: {action}" in step.output, step.output[-4000:]
    if action in scenarios.UNSCOPED_ACTIONS:
        assert step.rc != 0 and f"is not authorized to perform: {action}" in failing_message(step.output), step.output[-4000:]
    if action in ("comprehend:DescribeResourcePolicy", "kms:GetKeyPolicy"):
        assert "| not known: " in step.output, "the report says who may import or use the key is not known, not nobody"
        assert "audit_incomplete" in step.output, "a policy the audit couldn't read is a finding (high: it fails the default gate)"
