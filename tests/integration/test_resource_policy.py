# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests of seed.comprehend.comprehend_resource_policy: real ansible-playbook runs against the
emulator (fixtures in conftest.py), judged by the policy AWS holds afterwards and by the emulator's call log."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from botocore.exceptions import ClientError

# The in-process race test imports the collection's module_utils; make it importable without PYTHONPATH.
COLLECTIONS = str(Path(__file__).resolve().parents[2] / ".cache" / "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

# pylint: disable=wrong-import-position
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils.aws import aws_retry  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import ResourcePolicyPlanner  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_request  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore  # noqa: E402
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal  # noqa: E402
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import module_params  # noqa: E402

from emulator.client import EmulatorClient  # noqa: E402  (conftest.py puts tests/ on sys.path)

GUIDE_ARN = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
JANE = "arn:aws:iam::444455556666:user/jane"
ROLE = "arn:aws:iam::444455556666:role/team/ModelImporter"
ROOT_1234 = "arn:aws:iam::123456789012:root"
SERVICE = "comprehend.amazonaws.com"
SID = "ResourcePolicyForImportModel"
# The put-resource-policy example of the AWS guide.
GUIDE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": SID, "Effect": "Allow", "Action": ["comprehend:ImportModel"], "Resource": "*",
                   "Principal": {"AWS": [JANE, "123456789012"]}}],
}
FOREIGN = {"Sid": "SomeoneElses", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
           "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}}


def attached(aws, arn: str) -> Optional[Dict[str, Any]]:
    """The policy on the model now, read directly (None when there is none)."""
    client = aws.owner.client("comprehend")
    try:
        return json.loads(client.describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
    except client.exceptions.ResourceNotFoundException:
        return None


def put(aws, arn: str, policy: Dict[str, Any]) -> str:
    """Attach a policy as someone else would (the console, another tool)."""
    return aws.owner.client("comprehend").put_resource_policy(ResourceArn=arn, ResourcePolicy=json.dumps(policy))["PolicyRevisionId"]


def writes(aws) -> List[Dict[str, Any]]:
    return aws.write_calls(aws.owner.account_id)


SINGLE_FORM_KEYS = ("changed", "resource_arn", "policy", "policy_revision_id", "principals", "diff")


def assert_single_form(result: Dict[str, Any]) -> None:
    """A task with resource_arn returns resources, its one item, and the item's values at the top as in 0.1.0."""
    assert result["resources"] == [{key: result[key] for key in SINGLE_FORM_KEYS if key in result}], result


def run_steps(playbook, resource_arn: str, steps: List[Dict[str, Any]], **options: Any) -> List[Dict[str, Any]]:
    """Run the module once per step (a dict of options) in one ansible-playbook run; return the results."""
    run = playbook("resource_policy/steps.yml", resource_arn=resource_arn, steps=steps, **options)
    assert run.rc == 0, run.stdout
    results = run.result("steps")
    for step, result in zip(steps, results):
        if "resource_arns" not in step and not result.get("failed"):
            assert_single_form(result)
    return results


def apply(playbook, resource_arn: str, check: bool = False, diff: bool = False, **options: Any) -> Dict[str, Any]:
    """Run the module once with these options and return its result."""
    return run_steps(playbook, resource_arn, [options], check=check, diff=diff)[0]


def assert_one_write_per_change(aws, results: List[Dict[str, Any]]) -> None:
    """Each changing step wrote once, so the steps that changed nothing wrote nothing."""
    assert len(writes(aws)) == sum(1 for result in results if result["changed"]), (writes(aws), results)


def owned_statement(policy: Dict[str, Any]) -> Dict[str, Any]:
    matches = [statement for statement in policy["Statement"] if statement.get("Sid") == SID]
    assert len(matches) == 1, policy
    return matches[0]


def test_done_when_guide_example_then_rerun_writes_nothing(aws, playbook):
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    assert arn == GUIDE_ARN
    aws.reset_calls()
    first = playbook("resource_policy/share_mycf1.yml")
    assert first.rc == 0, first.stdout
    share = first.result("share")
    assert share["changed"] is True
    assert share["resource_arn"] == GUIDE_ARN
    assert share["principals"] == [ROOT_1234, JANE]
    assert len(share["policy_revision_id"]) == 32
    assert policies_equal(attached(aws, arn), GUIDE_POLICY, "aws")
    assert share["policy"] == attached(aws, arn)
    assert share["resources"] == [{"changed": True, "resource_arn": GUIDE_ARN, "policy": share["policy"],
                                   "policy_revision_id": share["policy_revision_id"], "principals": [ROOT_1234, JANE]}]
    assert [call["operation"] for call in writes(aws)] == ["PutResourcePolicy"]

    aws.reset_calls()
    second = playbook("resource_policy/share_mycf1.yml")
    assert second.rc == 0, second.stdout
    again = second.result("share")
    assert again["changed"] is False
    assert again["policy_revision_id"] == share["policy_revision_id"]
    assert again["resources"] == [dict(share["resources"][0], changed=False)]
    assert aws.write_calls() == []
    assert any(call["operation"] == "DescribeResourcePolicy" for call in aws.calls())


def test_adopts_a_policy_made_by_hand_from_the_guide(aws, playbook):
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    revision = put(aws, arn, GUIDE_POLICY)
    aws.reset_calls()
    result = apply(playbook, arn, principals=["123456789012", JANE])
    assert result["changed"] is False and result["policy_revision_id"] == revision
    assert result["policy"] == GUIDE_POLICY  # as attached, not snake-cased
    assert writes(aws) == []


def test_check_mode_and_diff(aws, playbook):
    arn = aws.create_model(aws.owner)
    put(aws, arn, {"Version": "2012-10-17", "Statement": [FOREIGN]})
    aws.reset_calls()
    run = playbook("resource_policy/steps.yml", check=True, diff=True, resource_arn=arn, steps=[{"principals": [JANE]}])
    assert run.rc == 0, run.stdout
    preview = run.result("steps")[0]
    assert preview["changed"] is True and preview["policy_revision_id"] is None
    assert preview["diff"]["before"] == {"Version": "2012-10-17", "Statement": [FOREIGN]}
    assert preview["diff"]["after"]["Statement"] == [FOREIGN, owned_statement(preview["policy"])]
    assert preview["principals"] == [JANE]
    assert preview["resources"][0]["diff"] == preview["diff"] and "before_header" not in preview["diff"]
    assert re.search(r'^\+ +"Sid": "ResourcePolicyForImportModel"', run.stdout, re.MULTILINE), run.stdout  # --diff
    assert writes(aws) == []
    assert attached(aws, arn) == {"Version": "2012-10-17", "Statement": [FOREIGN]}

    real = apply(playbook, arn, diff=True, principals=[JANE])
    assert real["changed"] is True and real["policy"] == preview["policy"] == attached(aws, arn)
    assert real["diff"] == preview["diff"]

    aws.reset_calls()
    rerun = apply(playbook, arn, check=True, diff=True, principals=[JANE])
    assert rerun["changed"] is False and rerun["diff"]["before"] == rerun["diff"]["after"]
    assert rerun["policy_revision_id"] == real["policy_revision_id"]
    assert writes(aws) == []


def test_add_and_remove_principals_with_and_without_purge(aws, playbook):
    arn = aws.create_model(aws.owner, model_type="entity-recognizer", name="people", version="v1")
    put(aws, arn, {"Version": "2012-10-17", "Statement": [FOREIGN]})
    aws.reset_calls()
    steps = [
        {"principals": [JANE, "123456789012"]},
        {"principals": [ROLE, SERVICE], "purge_principals": False},
        {"principals": [JANE], "purge_principals": False},  # already there
        {"principals": [ROLE, "123456789012"]},  # purge: exactly these
        {"principals": ["arn:aws:iam::123456789012:root"], "state": "absent"},
        {"principals": [JANE], "state": "absent"},  # not there: nothing to do
        {"principals": [ROLE], "state": "absent"},  # the last one: the statement goes
    ]
    results = run_steps(playbook, arn, steps)
    assert [result["changed"] for result in results] == [True, True, False, True, True, False, True]
    assert [result["principals"] for result in results] == [
        [ROOT_1234, JANE], [ROOT_1234, ROLE, JANE, SERVICE], [ROOT_1234, ROLE, JANE, SERVICE], [ROOT_1234, ROLE],
        [ROLE], [ROLE], [],
    ]
    assert owned_statement(results[1]["policy"])["Principal"] == {"AWS": [ROOT_1234, ROLE, JANE], "Service": SERVICE}
    assert_one_write_per_change(aws, results)
    assert attached(aws, arn) == results[-1]["policy"] == {"Version": "2012-10-17", "Statement": [FOREIGN]}


def test_foreign_statements_are_untouched(aws, playbook):
    arn = aws.create_model(aws.owner, version="v3")
    deny = {"Sid": "NoOne", "Effect": "Deny", "Action": "comprehend:ImportModel", "Resource": "*",
            "Principal": {"AWS": "arn:aws:iam::555566667777:root"}}
    hand_made = {"Version": "2012-10-17", "Id": "hand-made", "Statement": [FOREIGN, deny]}
    put(aws, arn, hand_made)
    aws.reset_calls()
    results = run_steps(playbook, arn, [
        {"principals": [JANE]},
        {"principals": [ROLE], "purge_principals": False},
        {"principals": [JANE], "state": "absent"},
        {"principals": [SERVICE], "statement_id": "Other"},
    ])
    assert all(result["changed"] for result in results)
    policy = results[2]["policy"]
    assert policy["Id"] == "hand-made" and policy["Statement"][:2] == [FOREIGN, deny]
    assert policy["Statement"][2]["Principal"] == {"AWS": ROLE}
    assert attached(aws, arn)["Statement"][:3] == policy["Statement"]  # the statement with Sid Other came last
    assert results[3]["principals"] == [SERVICE]

    results = run_steps(playbook, arn, [{"principals": [ROLE], "state": "absent"},
                                        {"principals": [SERVICE], "state": "absent", "statement_id": "Other"}])
    assert all(result["changed"] for result in results)
    assert attached(aws, arn) == hand_made


def test_whole_policy_mode(aws, playbook):
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    put(aws, arn, {"Version": "2012-10-17", "Statement": [FOREIGN]})
    aws.reset_calls()
    # The same meaning in another form: JSON text, root ARN instead of the account ID, a bare action string.
    same_statement = {"Sid": SID, "Effect": "Allow", "Action": "comprehend:importmodel", "Resource": ["*"],
                      "Principal": {"AWS": [ROOT_1234, JANE]}}
    same = {"Version": "2012-10-17", "Statement": [same_statement]}
    results = run_steps(playbook, arn, [{"policy": GUIDE_POLICY}, {"policy": json.dumps(same)}], diff=True)
    assert [result["changed"] for result in results] == [True, False]
    assert results[0]["diff"]["before"]["Statement"] == [FOREIGN]
    assert results[0]["principals"] == [ROOT_1234, JANE]
    assert attached(aws, arn) == GUIDE_POLICY
    assert_one_write_per_change(aws, results)


def test_delete_the_policy(aws, playbook):
    arn = aws.create_model(aws.owner)
    put(aws, arn, GUIDE_POLICY)
    aws.reset_calls()
    results = run_steps(playbook, arn, [{"state": "absent"}, {"state": "absent"}], diff=True)
    assert [result["changed"] for result in results] == [True, False]
    assert results[0]["policy"] is None and results[0]["policy_revision_id"] is None
    assert results[0]["resources"][0]["diff"] == {"before": GUIDE_POLICY, "after": {}}
    assert results[0]["diff"] == {"before": GUIDE_POLICY, "after": {}}
    assert attached(aws, arn) is None
    assert [call["operation"] for call in writes(aws)] == ["DeleteResourcePolicy"]


def test_no_policy_as_an_empty_answer(aws, playbook):
    """Real AWS seems to answer DescribeResourcePolicy with empty fields when no policy is attached."""
    EmulatorClient(aws.url).set_options(missing_resource_policy="empty")
    arn = aws.create_model(aws.owner, model_type="entity-recognizer", name="rec")
    aws.reset_calls()
    results = run_steps(playbook, arn, [{"principals": [SERVICE]}, {"state": "absent"}, {"state": "absent"}])
    assert [result["changed"] for result in results] == [True, True, False]
    assert results[0]["policy"]["Statement"][0]["Principal"] == {"Service": SERVICE}
    assert_one_write_per_change(aws, results)


@pytest.mark.parametrize("empty_answer", [False, True])
def test_model_not_found(aws, playbook, empty_answer):
    if empty_answer:
        EmulatorClient(aws.url).set_options(missing_resource_policy="empty")
    missing = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/nosuchmodel/version/v1"
    for result in run_steps(playbook, missing, [{"principals": [JANE]}, {"state": "absent"}]):
        assert result["failed"] is True
        assert result["msg"] == f"the document-classifier {missing} does not exist, or this account can't see it"
        assert result["resource_arn"] == missing
    assert aws.write_calls() == []


def test_another_accounts_model_is_not_found(aws, playbook):
    arn = aws.create_model(aws.owner)
    aws.reset_calls()
    run = playbook("resource_policy/steps.yml", account=aws.importer, resource_arn=arn, steps=[{"principals": [JANE]}])
    assert run.rc == 0, run.stdout
    result = run.result("steps")[0]
    assert result["failed"] is True and arn in result["msg"]
    assert aws.write_calls() == []


def test_bad_input_is_refused_before_any_call(aws, playbook):
    statement = {"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": "123456789012"}}
    cases = [
        ({"resource_arn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/my_cf1", "state": "absent"},
         "is not a Comprehend custom model ARN"),
        ({"resource_arn": "arn:aws:s3:::bucket", "principals": ["123456789012"]}, "is not a Comprehend custom model ARN"),
        ({"principals": ["*"]}, "set allow_wildcard_principal=true"),
        ({"principals": ["arn:aws:iam::*:root"]}, "set allow_wildcard_principal=true"),
        ({"principals": ["arn:aws-cn:iam::123456789012:user/jane"]}, "in partition 'aws-cn', not 'aws'"),
        ({"principals": ["arn:aws:iam::123456789012:group/admins"]}, "is not a 12-digit account ID, an IAM user or role ARN"),
        ({"principals": ["123456789012"], "policy": GUIDE_POLICY}, "parameters are mutually exclusive: principals|policy"),
        ({"policy": {"Statement": [dict(statement, Action="comprehend:*")]}}, "Action must be comprehend:ImportModel"),
        ({"policy": "not json"}, "policy is not valid JSON"),
        ({"policy": {"Statement": [dict(statement, Sid="x" * 20000)]}}, "Comprehend accepts at most 20000"),
        ({"policy": {"Statement": [dict(statement, Sid="\u20ac")]}}, "Comprehend accepts only Latin-1 characters"),
        ({"policy": GUIDE_POLICY, "state": "absent"}, "policy can't be used with state=absent"),
        ({}, "state=present needs principals or policy"),
        ({"principals": [JANE], "statement_id": ""}, "statement_id"),
    ]
    results = run_steps(playbook, GUIDE_ARN, [options for options, _message in cases])
    assert len(results) == len(cases)
    for result, (_options, message) in zip(results, cases):
        assert result["failed"] is True and message in result["msg"], (message, result.get("msg"))
    assert aws.calls() == []  # all refused before the first AWS call


def test_wildcard_with_explicit_opt_in(aws, playbook):
    arn = aws.create_model(aws.owner)
    results = run_steps(playbook, arn, [{"principals": ["*"], "allow_wildcard_principal": True},
                                        {"principals": ["*"], "state": "absent"}])
    assert [result["changed"] for result in results] == [True, True]
    assert results[0]["principals"] == ["*"]
    assert attached(aws, arn) is None


class RacingClient:
    """A Comprehend client on which another writer changes the policy just before this one's first Put."""

    def __init__(self, client, other_writer):
        self._client = client
        self._other_writer = other_writer
        self.puts = 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def put_resource_policy(self, **params):
        self.puts += 1
        if self.puts == 1:
            self._other_writer()
        return self._client.put_resource_policy(**params)


@pytest.mark.parametrize("wording", ["names_revision", "generic"])
def test_stale_revision_is_retried_and_both_changes_survive(aws, wording):
    """Another writer changes the policy between the module's read and its write: the emulator refuses the stale
    revision (with a message naming the revision, or a generic one: AWS documents neither), the module sees the
    revision moved on, reads again, re-applies its change on top, and both changes are in the final policy."""
    aws.set_options(stale_revision_message=wording)
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    put(aws, arn, GUIDE_POLICY)

    def other_writer():
        client = aws.owner.client("comprehend")
        current = client.describe_resource_policy(ResourceArn=arn)
        policy = json.loads(current["ResourcePolicy"])
        policy["Statement"].append(FOREIGN)
        client.put_resource_policy(ResourceArn=arn, ResourcePolicy=json.dumps(policy),
                                   PolicyRevisionId=current["PolicyRevisionId"])

    racing = RacingClient(aws.owner.client("comprehend"), other_writer)
    request = build_request(module_params(resource_arn=arn, principals=[ROLE], purge_principals=False))
    aws.reset_calls()
    outcome = converge(ModelPolicyStore(RetryingBotoClientWrapper(racing, aws_retry), request.model), ResourcePolicyPlanner(request))

    assert outcome.changed
    policy = attached(aws, arn)
    assert FOREIGN in policy["Statement"]  # the other writer's change
    assert set(owned_statement(policy)["Principal"]["AWS"]) == {JANE, ROOT_1234, ROLE}  # ours, merged
    puts = [call for call in aws.write_calls() if call["operation"] == "PutResourcePolicy"]
    assert [call["status"] for call in puts] == [200, 400, 200]  # the other writer, our stale try, our retry
    assert racing.puts == 2


def test_a_refusal_on_the_current_revision_is_reported_not_retried(aws):
    """An InvalidRequestException while the revision named is still current is a refusal of the request itself."""
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    revision = put(aws, arn, GUIDE_POLICY)

    class Refusing(RacingClient):
        def put_resource_policy(self, **params):
            self.puts += 1
            raise ClientError({"Error": {"Code": "InvalidRequestException", "Message": "Invalid request"}}, "PutResourcePolicy")

    refusing = Refusing(aws.owner.client("comprehend"), None)
    request = build_request(module_params(resource_arn=arn, principals=[ROLE], purge_principals=False))
    with pytest.raises(OperationError, match=f"^Comprehend refused the resource policy of {arn} \\(InvalidRequestException: "
                                             f"Invalid request\\)\\. The policy is still at revision {revision}"):
        converge(ModelPolicyStore(RetryingBotoClientWrapper(refusing, aws_retry), request.model), ResourcePolicyPlanner(request))
    assert refusing.puts == 1


def test_throttling_at_a_high_rate_still_converges(aws, playbook):
    arn = aws.create_model(aws.owner, name="mycf1", version="v2")
    put(aws, arn, {"Version": "2012-10-17", "Statement": [FOREIGN]})
    aws.reset_calls()
    aws.set_faults(0.5, operations=["comprehend:*"], seed=3)
    results = run_steps(playbook, arn, [{"principals": [JANE, "123456789012"]}] * 2)
    assert [result.get("changed") for result in results] == [True, False], results
    assert [call for call in aws.calls() if call.get("fault")], "no fault was injected"
    # Writes that failed with a fault were retried; the second step tried none at all.
    assert sum(1 for call in aws.write_calls() if not call.get("fault")) == 1
    aws.set_faults(0)
    policy = attached(aws, arn)
    assert policy["Statement"][0] == FOREIGN
    assert policies_equal({"Version": "2012-10-17", "Statement": [policy["Statement"][1]]}, GUIDE_POLICY, "aws")


def test_resource_arns_share_many_versions_in_one_task(aws, playbook):
    """One task for several versions: foreign statements kept, a hand-made guide policy adopted, an ARN given twice
    managed once; check mode and diff first, then the change, then a rerun that only reads."""
    with_foreign = aws.create_model(aws.owner, name="tickets", version="v1")
    by_hand = aws.create_model(aws.owner, name="tickets", version="v2")
    bare = aws.create_model(aws.owner, name="tickets", version="v3")
    put(aws, with_foreign, {"Version": "2012-10-17", "Statement": [FOREIGN]})
    by_hand_revision = put(aws, by_hand, GUIDE_POLICY)
    step = {"resource_arns": [with_foreign, by_hand, bare, with_foreign], "principals": ["123456789012", JANE],
            "purge_principals": False}
    aws.reset_calls()

    run = playbook("resource_policy/steps.yml", check=True, diff=True, resource_arn="", steps=[step])
    assert run.rc == 0, run.stdout
    preview = run.result("steps")[0]
    assert writes(aws) == []
    assert preview["changed"] is True
    assert [item["resource_arn"] for item in preview["resources"]] == [with_foreign, by_hand, bare]
    assert [item["changed"] for item in preview["resources"]] == [True, False, True]
    assert [item["diff"] for item in preview["resources"]] == [{"before": diff["before"], "after": diff["after"]}
                                                               for diff in preview["diff"]]
    assert [(diff["before_header"], diff["before"]) for diff in preview["diff"]] == [
        (with_foreign, {"Version": "2012-10-17", "Statement": [FOREIGN]}), (by_hand, GUIDE_POLICY), (bare, {})]
    assert f"--- before: {bare}" in run.stdout  # Ansible shows the diff of each version under its ARN

    aws.reset_calls()
    done = run_steps(playbook, "", [step])[0]
    assert [item["changed"] for item in done["resources"]] == [True, False, True]
    for arn in (with_foreign, by_hand, bare):
        assert owned_principals_of(attached(aws, arn)) == {ROOT_1234, JANE}, arn
    assert attached(aws, with_foreign)["Statement"][0] == FOREIGN
    assert [call["operation"] for call in writes(aws)] == ["PutResourcePolicy"] * 2
    assert done["resources"][1]["policy_revision_id"] == by_hand_revision  # adopted, not rewritten

    aws.reset_calls()
    rerun = run_steps(playbook, "", [step])[0]
    assert rerun["changed"] is False and aws.write_calls() == []
    assert sorted(call["operation"] for call in aws.calls()) == ["DescribeResourcePolicy"] * 3


def owned_principals_of(policy: Dict[str, Any]) -> set:
    principals = owned_statement(policy)["Principal"]["AWS"]
    return {"arn:aws:iam::123456789012:root" if value == "123456789012" else value
            for value in ([principals] if isinstance(principals, str) else principals)}


def test_resource_arns_with_a_missing_model_write_nothing(aws, playbook):
    present = aws.create_model(aws.owner, name="tickets", version="v1")
    missing = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v9"
    aws.reset_calls()
    result = run_steps(playbook, "", [{"resource_arns": [present, missing], "principals": [JANE]}])[0]
    assert result["failed"] is True
    assert result["msg"].startswith("nothing was written: 1 of 2 resource policies could not be read") and missing in result["msg"]
    assert aws.write_calls() == [] and attached(aws, present) is None


@pytest.mark.parametrize("step, message", [
    ({"resource_arns": ["arn:aws:comprehend:us-west-2:111122223333:document-classifier/ok/version/v1", "bad"],
      "principals": [JANE]}, "resource_arns: 'bad' is not a Comprehend custom model ARN"),
    ({"resource_arns": [], "principals": [JANE]}, "resource_arns must name at least one model version ARN"),
])
def test_resource_arns_bad_input_is_refused_before_any_call(aws, playbook, step, message):
    aws.reset_calls()
    result = run_steps(playbook, GUIDE_ARN, [step])[0]
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert [call for call in aws.calls() if call["service"] == "comprehend"] == []
