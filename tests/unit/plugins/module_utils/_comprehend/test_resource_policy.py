# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the resource policy planning: requests built from options the module's argument spec validated,
merge/purge/removal, rendering, comparison, and the module's return values. The read/plan/write loop is tested in
tests/unit/plugins/module_utils/test_converge.py, converge_models in test_resource_policy_aws.py."""

from __future__ import annotations

import json
import re

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Change
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import load_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import DEFAULT_STATEMENT_ID
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import POLICY_MAX_LENGTH
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_request
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_requests
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import planned_without_policy
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import check_policy_text
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import outcome_result
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import parse_stored
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import plan
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import resources_result
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import same_policy
from ansible_collections.seed.comprehend.plugins.modules.comprehend_resource_policy import ARGUMENT_SPEC
from ansible_collections.seed.comprehend.plugins.modules.comprehend_resource_policy import MUTUALLY_EXCLUSIVE
from ansible_collections.seed.comprehend.plugins.modules.comprehend_resource_policy import REQUIRED_ONE_OF

# The module's own argument checks, as AnsibleAWSModule makes them before build_requests.
VALIDATOR = ArgumentSpecValidator(ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_one_of=REQUIRED_ONE_OF)
ARN = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
JANE = "arn:aws:iam::444455556666:user/jane"
ROOT_1234 = "arn:aws:iam::123456789012:root"
ROLE = "arn:aws:iam::123456789012:role/team/ExampleRole"
SERVICE = "comprehend.amazonaws.com"
GUIDE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": ["comprehend:ImportModel"],
                   "Resource": "*", "Principal": {"AWS": [JANE, "123456789012"]}}],
}
FOREIGN = {"Sid": "KeepMe", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
           "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}


def module_params(**options):
    """The options as the module hands them on: validated by its argument spec, every default set. resource_arn is
    ARN unless resource_arns is given."""
    if "resource_arns" not in options:
        options.setdefault("resource_arn", ARN)
    validated = VALIDATOR.validate(options)
    assert not validated.error_messages, validated.error_messages
    return validated.validated_parameters


def request(**options):
    return build_request(module_params(**options))


def outcome(changed, before, after, revision_id):
    return Outcome(changed, before, after, revision_id, Change(before, after, changed))


def owned(principal, sid=DEFAULT_STATEMENT_ID):
    return {"Sid": sid, "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": principal}


def policy_of(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# ---------------------------------------------------------------- build_request


def test_request_principals_are_normalised_and_deduplicated():
    req = request(principals=["123456789012", ROOT_1234, JANE, f" {SERVICE} "])
    assert req.principals == {Principal("AWS", ROOT_1234), Principal("AWS", JANE), Principal("Service", SERVICE)}
    assert req.model.name == "mycf1" and req.purge and req.policy is None


def test_request_defaults_come_from_the_argument_spec():
    req = build_request(module_params(principals=["123456789012"]))
    assert (req.state, req.statement_id, req.purge) == ("present", DEFAULT_STATEMENT_ID, True)
    with pytest.raises(InvalidInputError, match="allow_wildcard_principal"):
        build_request(module_params(principals=["*"]))


@pytest.mark.parametrize("options, message", [
    ({"resource_arn": ARN, "resource_arns": [ARN]}, "mutually exclusive: resource_arn|resource_arns"),
    ({"principals": [JANE]}, "one of the following is required: resource_arn, resource_arns"),
    ({"resource_arn": ARN, "principals": [JANE], "policy": GUIDE_POLICY}, "mutually exclusive: principals|policy"),
    ({"resource_arn": ARN, "state": "gone"}, "value of state must be one of: present, absent"),
    ({"resource_arn": ARN, "principals": [JANE], "purge_principals": "maybe"}, "purge_principals"),
    ({"resource_arn": ARN, "principals": [JANE], "allow_wildcard_principal": "maybe"}, "allow_wildcard_principal"),
    ({"resource_arns": {"arn": ARN}}, "resource_arns"),
])
def test_the_argument_spec_checks_what_build_request_relies_on(options, message):
    """Types, choices and option combinations are the spec's alone: build_request doesn't check them again."""
    messages = VALIDATOR.validate(options).error_messages
    assert any(message in error for error in messages), messages


def test_request_state_absent_alone_deletes():
    req = request(state="absent")
    assert req.principals is None and req.policy is None


@pytest.mark.parametrize("params, message", [
    ({"resource_arn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/my_cf1"}, "resource_arn"),
    ({"principals": ["*"]}, "allow_wildcard_principal"),
    ({"principals": ["arn:aws:iam::*:root"]}, "allow_wildcard_principal"),
    ({"principals": ["arn:aws-cn:iam::123456789012:user/jane"]}, "partition"),
    ({"principals": ["jane"]}, "is not a 12-digit"),
    ({"principals": [""]}, "is not a principal"),
    # IAM's naming rules: ASCII names of at most 64 characters, paths of the same characters, no wildcards.
    ({"principals": ["arn:aws:iam::123456789012:role/R\u00f4le"]}, "^principals: .*is not an IAM role ARN by IAM's naming rules"),
    ({"principals": ["arn:aws:iam::123456789012:role/a*/x"]}, "^principals: the wildcard .* is refused: a principal can't be a pattern"),
    ({"principals": ["arn:aws:iam::123456789012:role/a*/x"], "allow_wildcard_principal": True}, "^principals: the wildcard"),
    ({"principals": ["arn:aws:iam::123456789012:user/"]}, "^principals: .*is not an IAM user ARN by IAM's naming rules"),
    ({"principals": ["arn:aws:iam::123456789012:role/" + "r" * 65]}, "^principals: .*is not an IAM role ARN by IAM's naming rules"),
    ({"resource_arn": ARN.replace("us-west-2", "US-WEST-2")}, "^resource_arn: .* names the region 'US-WEST-2'; a model ARN"),
    ({"resource_arn": ARN.replace("us-west-2", "")}, "^resource_arn: .* names the region ''; a model ARN"),
    ({"policy": {"Version": "2012-10-17", "Statement": [dict(GUIDE_POLICY["Statement"][0], Principal={"AWS": "arn:aws:iam::123456789012:role/R\u00f4le"})]}},
     "^policy Statement\\[0\\] Principal.AWS: .*IAM's naming rules"),
    ({}, "needs principals or policy"),
    ({"state": "absent", "policy": GUIDE_POLICY}, "state=absent"),
    ({"principals": [JANE], "statement_id": ""}, "statement_id"),
    ({"principals": [JANE], "statement_id": "x" * 129}, "statement_id"),
    ({"principals": [JANE], "statement_id": "tab\there"}, "statement_id"),
    ({"principals": [JANE], "statement_id": "\u20ac"}, "statement_id"),
])
def test_request_refuses(params, message):
    with pytest.raises(InvalidInputError, match=message):
        request(**params)


def test_request_wildcard_with_opt_in():
    assert request(principals=["*"], allow_wildcard_principal=True).principals == {Principal("AWS", "*")}


def test_request_removing_a_wildcard_needs_no_opt_in():
    assert request(state="absent", principals=["*"]).principals == {Principal("AWS", "*")}


def test_request_statement_id_can_be_a_console_name():
    assert request(principals=[JANE], statement_id="Share with team-B (prod)").statement_id == "Share with team-B (prod)"


@pytest.mark.parametrize("given", [GUIDE_POLICY, json.dumps(GUIDE_POLICY, indent=4)])
def test_request_whole_policy(given):
    assert request(policy=given).policy == GUIDE_POLICY


def test_request_policy_may_deny_anyone():
    deny = {"Effect": "Deny", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": "*"}
    assert request(policy=policy_of(owned({"AWS": JANE}), deny)).policy["Statement"][1] == deny


def test_request_policy_wildcard_allow_with_opt_in():
    given = policy_of(owned("*"))
    with pytest.raises(InvalidInputError, match="allow_wildcard_principal"):
        request(policy=given)
    assert request(policy=given, allow_wildcard_principal=True).policy == given


@pytest.mark.parametrize("statement, message", [
    ({"Action": "comprehend:*"}, "Action must be comprehend:ImportModel"),
    ({"Action": "*"}, "Action must be comprehend:ImportModel"),
    ({"Action": ["comprehend:ImportModel", "comprehend:DescribeDocumentClassifier"]}, "Action must be"),
    ({"Action": []}, "Action must be"),
    ({"Action": [1]}, "Action must be"),
    ({"NotAction": "comprehend:DeleteDocumentClassifier"}, "NotAction is not allowed"),
    ({"NotPrincipal": {"AWS": JANE}}, "NotPrincipal is not allowed"),
    ({"Principal": None}, "needs a Principal"),
    ({"Principal": {}}, "needs a Principal"),
    ({"Principal": "jane"}, "needs a Principal"),
    ({"Principal": {"Federated": "cognito-identity.amazonaws.com"}}, "Principal.Federated"),
    ({"Principal": {"AWS": []}}, "Principal.AWS"),
    ({"Principal": {"AWS": SERVICE}}, "is not a 12-digit account ID, an IAM user or role ARN$"),
    ({"Principal": {"Service": "123456789012"}}, "is not a Service principal"),
    ({"Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"}}, "partition"),
])
def test_request_policy_refuses_statement(statement, message):
    base = owned({"AWS": JANE})
    base.update(statement)
    with pytest.raises(InvalidInputError, match=message):
        request(policy=policy_of(base))


@pytest.mark.parametrize("given, message", [
    ("{", "not valid JSON"),
    ("[1]", "JSON object"),
    ({"Statement": []}, "non-empty Statement"),
    (policy_of(owned({"AWS": JANE}, sid="A"), owned({"AWS": ROLE}, sid="A")), "Sid 'A' is not a string, or it is used twice"),
    (policy_of(owned({"AWS": JANE}, sid=["A"])), r"Sid \['A'\] is not a string"),
    (policy_of(dict(owned({"AWS": JANE}), Sid="caf\u00e9 \u20ac")), "U\\+20AC"),
    (json.dumps(policy_of(dict(owned({"AWS": JANE}), Sid="\\u20ac"))).replace("\\\\", "\\"), "Latin-1"),
])
def test_request_policy_refuses_document(given, message):
    with pytest.raises(InvalidInputError, match=message):
        request(policy=given)


def test_request_policy_latin1_is_fine():
    given = policy_of(dict(owned({"AWS": JANE}), Sid="caf\u00e9"))
    assert request(policy=given).policy == given


def test_request_policy_size_limit_is_on_compact_text():
    roles = [f"arn:aws:iam::123456789012:role/r{index:04d}" for index in range(400)]
    big = policy_of(owned({"AWS": roles}))
    # Indented, the text is far beyond the limit; compact, the same document fits.
    assert len(json.dumps(big, indent=8)) > POLICY_MAX_LENGTH > len(json.dumps(big, separators=(",", ":")))
    assert request(policy=json.dumps(big, indent=8)).policy == big
    roles = [f"arn:aws:iam::123456789012:role/role-with-a-long-name-{index:04d}" for index in range(600)]
    with pytest.raises(InvalidInputError, match="at most 20000"):
        request(policy=policy_of(owned({"AWS": roles})))


def test_check_policy_text_limits():
    assert check_policy_text("x" * POLICY_MAX_LENGTH) == "x" * POLICY_MAX_LENGTH
    assert check_policy_text("\t\r\n \u00ff") == "\t\r\n \u00ff"
    with pytest.raises(InvalidInputError, match="20001 characters"):
        check_policy_text("x" * (POLICY_MAX_LENGTH + 1))
    with pytest.raises(InvalidInputError, match="U\\+0001"):
        check_policy_text("\x01")


# ---------------------------------------------------------------- plan


def test_plan_creates_the_guide_policy():
    desired = plan(None, request(principals=[JANE, "123456789012"]))
    assert desired == {"Version": "2012-10-17", "Statement": [owned({"AWS": [ROOT_1234, JANE]})]}
    assert policies_equal(desired, GUIDE_POLICY, "aws")


def test_plan_adopts_the_guide_policy_unchanged():
    current = load_policy(GUIDE_POLICY)
    desired = plan(current, request(principals=["123456789012", JANE]))
    assert same_policy(current, desired, "aws")


def test_plan_purge_replaces_owned_principals_only():
    current = policy_of(FOREIGN, owned({"AWS": [JANE, ROLE]}))
    desired = plan(current, request(principals=[SERVICE, JANE]))
    assert desired["Statement"][0] == FOREIGN
    assert desired["Statement"][1]["Principal"] == {"AWS": JANE, "Service": SERVICE}


def test_plan_without_purge_adds():
    current = policy_of(owned({"AWS": [JANE]}), FOREIGN)
    desired = plan(current, request(principals=[ROLE], purge_principals=False))
    assert desired["Statement"] == [owned({"AWS": [ROLE, JANE]}), FOREIGN]
    assert same_policy(desired, plan(desired, request(principals=[JANE], purge_principals=False)), "aws")


def test_plan_appends_owned_statement_after_foreign_ones():
    current = {"Version": "2012-10-17", "Id": "kept", "Statement": FOREIGN}
    desired = plan(current, request(principals=[JANE]))
    assert desired == {"Version": "2012-10-17", "Id": "kept", "Statement": [FOREIGN, owned({"AWS": JANE})]}
    assert current == {"Version": "2012-10-17", "Id": "kept", "Statement": FOREIGN}


def test_plan_keeps_other_elements_of_the_owned_statement():
    statement = dict(owned({"AWS": JANE}), Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    desired = plan(policy_of(statement), request(principals=[ROLE]))
    assert desired["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}
    assert desired["Statement"][0]["Principal"] == {"AWS": ROLE}


def test_plan_narrows_a_broader_owned_statement():
    statement = dict(owned({"AWS": JANE}), Action="comprehend:*", Resource=ARN)
    desired = plan(policy_of(statement), request(principals=[JANE]))
    assert desired["Statement"] == [owned({"AWS": JANE})]


def test_plan_absent_removes_principals():
    current = policy_of(owned({"AWS": [JANE, ROLE, "123456789012"]}), FOREIGN)
    desired = plan(current, request(state="absent", principals=["arn:aws:iam::123456789012:root", ROLE]))
    assert desired["Statement"] == [owned({"AWS": JANE}), FOREIGN]


def test_plan_absent_drops_empty_statement_then_policy():
    current = policy_of(owned({"AWS": JANE}), FOREIGN)
    assert plan(current, request(state="absent", principals=[JANE]))["Statement"] == [FOREIGN]
    assert plan(policy_of(owned({"AWS": JANE})), request(state="absent", principals=[JANE])) is None


def test_plan_absent_of_unknown_principal_changes_nothing():
    current = policy_of(FOREIGN)
    assert same_policy(current, plan(current, request(state="absent", principals=[JANE])), "aws")
    assert plan(None, request(state="absent", principals=[JANE])) is None


def test_plan_empty_principals_with_purge_removes_owned_statement():
    current = policy_of(FOREIGN, owned({"AWS": JANE}))
    assert plan(current, request(principals=[]))["Statement"] == [FOREIGN]
    assert same_policy(current, plan(current, request(principals=[], purge_principals=False)), "aws")


def test_plan_whole_policy_and_delete():
    assert plan(policy_of(FOREIGN), request(policy=GUIDE_POLICY)) == GUIDE_POLICY
    assert plan("garbage", request(policy=GUIDE_POLICY)) == GUIDE_POLICY
    assert plan(policy_of(FOREIGN), request(state="absent")) is None


def test_plan_reads_a_wildcard_principal():
    current = policy_of(owned("*"))
    desired = plan(current, request(principals=[JANE], purge_principals=False))
    assert desired["Statement"][0]["Principal"] == {"AWS": ["*", JANE]}
    assert plan(current, request(state="absent", principals=["*"])) is None


@pytest.mark.parametrize("current, message", [
    ("not json", "not a policy document this module can edit"),
    (policy_of(owned({"AWS": JANE}), owned({"AWS": ROLE})), "2 statements with Sid"),
    (policy_of(dict(owned({"AWS": JANE}), Effect="Deny")), "not an Allow statement"),
    (policy_of(dict(owned({"AWS": JANE}), NotResource="x")), "not an Allow statement"),
    (policy_of(dict(owned(None))), "Principal this module can't read"),
])
def test_plan_refuses_what_it_cannot_edit(current, message):
    with pytest.raises(OperationError, match=message) as caught:
        plan(current, request(principals=[JANE]))
    if "module can edit" in message:
        assert caught.value.details == {"resource_arn": ARN}


def test_parse_stored():
    assert parse_stored(None) is None
    assert parse_stored(Stored(json.dumps(GUIDE_POLICY), "1")) == GUIDE_POLICY
    assert parse_stored(Stored("garbage", "1")) == "garbage"
    assert parse_stored(Stored('{"Statement": []}', "1")) == '{"Statement": []}'


def test_same_policy_uses_meaning():
    aws_form = policy_of(owned({"AWS": [ROOT_1234, JANE]}))
    assert same_policy(GUIDE_POLICY, aws_form, "aws")
    assert not same_policy("garbage", aws_form, "aws")
    assert same_policy(None, None, "aws")


# ---------------------------------------------------------------- results


def test_outcome_result_with_diff():
    req = request(principals=[JANE, SERVICE, "123456789012"])
    after = plan(None, req)
    result = outcome_result(outcome(True, None, after, "ab" * 16), req, diff=True)
    assert result == {
        "changed": True, "resource_arn": ARN, "policy": after, "policy_revision_id": "ab" * 16,
        "principals": [ROOT_1234, JANE, SERVICE], "diff": {"before": {}, "after": after},
    }


def test_outcome_result_after_delete():
    result = outcome_result(outcome(True, "garbage", None, None), request(state="absent"), diff=True)
    assert result["policy"] is None and result["principals"] == []
    assert result["diff"] == {"before": "garbage", "after": {}}
    assert "diff" not in outcome_result(outcome(False, None, None, None), request(state="absent"))


def test_outcome_result_principals_of_a_whole_policy():
    req = request(policy=GUIDE_POLICY)
    assert outcome_result(outcome(False, GUIDE_POLICY, GUIDE_POLICY, "1"), req)["principals"] == [ROOT_1234, JANE]


# ---------------------------------------------------------------- several model versions (resource_arns)

V1, V3 = ARN.replace("/v2", "/v1"), ARN.replace("/v2", "/v3")


def test_requests_for_resource_arns_are_each_checked_and_deduplicated():
    requests = build_requests(module_params(resource_arns=[V1, ARN, V1], principals=[JANE]))
    assert [req.model.arn for req in requests] == [V1, ARN]
    assert all(req.principals == request(principals=[JANE]).principals for req in requests)
    assert [req.model.arn for req in build_requests(module_params(principals=[JANE]))] == [ARN]


@pytest.mark.parametrize("params, message", [
    ({"resource_arns": [], "principals": [JANE]}, "resource_arns must name at least one model version ARN"),
    ({"resource_arns": [V1, "arn:aws:comprehend:us-west-2:1:endpoint/x"], "principals": [JANE]}, "resource_arns: 'arn:aws"),
    ({"resource_arns": [V1], "principals": ["*"]}, "allow_wildcard_principal=true"),
    ({"resource_arns": [V1, ARN.replace("arn:aws:", "arn:aws-cn:")], "principals": [JANE]}, "partition 'aws'"),
])
def test_requests_for_resource_arns_refuse_bad_input(params, message):
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        build_requests(module_params(**params))


def test_resources_result_lists_each_version_and_its_diff():
    requests = build_requests(module_params(resource_arns=[V1, ARN], principals=[JANE]))
    outcomes = [outcome(True, None, policy_of(owned({"AWS": JANE})), "1"), outcome(False, GUIDE_POLICY, GUIDE_POLICY, "2")]
    result = resources_result(requests, outcomes, single_arn=False, diff=True)
    assert result["changed"] is True
    assert [(item["resource_arn"], item["changed"], item["policy_revision_id"]) for item in result["resources"]] == [
        (V1, True, "1"), (ARN, False, "2")]
    assert [item["diff"] for item in result["resources"]] == [{"before": {}, "after": outcomes[0].after},
                                                              {"before": GUIDE_POLICY, "after": GUIDE_POLICY}]
    assert result["diff"] == [{"before": {}, "after": outcomes[0].after, "before_header": V1, "after_header": V1},
                              {"before": GUIDE_POLICY, "after": GUIDE_POLICY, "before_header": ARN, "after_header": ARN}]
    assert not {"resource_arn", "policy", "policy_revision_id", "principals"} & set(result)
    plain = resources_result(requests, outcomes, single_arn=False)
    assert "diff" not in plain and all("diff" not in item for item in plain["resources"])


@pytest.mark.parametrize("diff", [False, True])
def test_resources_result_of_one_arn_keeps_the_0_1_0_values(diff):
    """resource_arn gives resources too; its only item's values stay at the top, and so does its diff, Ansible's."""
    requests = build_requests(module_params(principals=[JANE]))
    outcomes = [outcome(True, policy_of(FOREIGN), policy_of(FOREIGN, owned({"AWS": JANE})), "1")]
    result = resources_result(requests, outcomes, single_arn=True, diff=diff)
    item = outcome_result(outcomes[0], requests[0], diff=diff)
    assert result["resources"] == [item]
    assert result == dict(item, resources=[item])
    assert ("diff" in result) is diff
    if diff:
        assert result["diff"] == {"before": policy_of(FOREIGN), "after": policy_of(FOREIGN, owned({"AWS": JANE}))}


def test_planned_without_policy_names_only_the_tasks_model_versions():
    other = ARN.replace("/v2", "/v9")
    params = module_params(resource_arns=[ARN], principals=[JANE], planned_without_policy=[ARN])
    assert planned_without_policy(params, build_requests(params)) == {ARN}
    params = module_params(resource_arns=[ARN], principals=[JANE], planned_without_policy=[other])
    with pytest.raises(InvalidInputError, match=f"^planned_without_policy: {other} not in resource_arns"):
        planned_without_policy(params, build_requests(params))
    params = module_params(principals=[JANE], planned_without_policy=[ARN])
    with pytest.raises(InvalidInputError, match="^planned_without_policy goes with resource_arns"):
        planned_without_policy(params, build_requests(params))
