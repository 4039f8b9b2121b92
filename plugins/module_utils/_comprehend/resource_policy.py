# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning of a model version's resource policy for comprehend_resource_policy (pure: no boto3 here).

The module owns one statement of a model version's resource policy, found by its Sid, that allows
``comprehend:ImportModel`` on ``Resource: "*"`` to a set of principals; every other statement is kept as it is.
Or, in whole-policy mode, it replaces the document. ``build_request`` turns the module's validated options into a
request, ``plan`` computes the wanted document from the attached one, ``ResourcePolicyPlanner`` hands that to
converge.converge, and ``resources_result`` makes the module's return values of the outcomes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple, Union

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Change
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import CURRENT_POLICY_VERSION
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Statement
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import load_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import AWS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import SERVICE
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import read_principals
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import render_principals

IMPORT_ACTION = "comprehend:ImportModel"
# The Sid of the AWS guide's put-resource-policy example: a policy made by hand from the guide is adopted as is.
DEFAULT_STATEMENT_ID = "ResourcePolicyForImportModel"
# ResourcePolicy in the Comprehend service model: 1 to 20,000 characters of [\t\n\r\x20-\xFF].
POLICY_MAX_LENGTH = 20000
_OUTSIDE_POLICY_CHARACTERS = re.compile(r"[^\t\n\r\x20-\xff]")
# IAM documents nothing for Sids of Comprehend policies; accept what the console could have written.
_STATEMENT_ID_RE = re.compile(r"^[\x20-\x7e\xa0-\xff]{1,128}\Z")

AttachedPolicy = Union[None, Policy, str]  # no policy, a policy document, or text that is not one


@dataclass(frozen=True)
class PolicyRequest:
    """What the user asked for, checked. principals None and policy None with state absent: delete the policy."""

    model: ModelArn
    state: str
    statement_id: str
    principals: Optional[FrozenSet[Principal]] = None
    purge: bool = True
    policy: Optional[Policy] = None


def check_statement_id(value: str) -> str:
    if not _STATEMENT_ID_RE.match(value):
        raise InvalidInputError(
            f"statement_id: {value!r} is not a usable Sid: 1 to 128 printable characters (letters and digits are safest)"
        )
    return value


def check_policy_text(text: str, what: str = "policy") -> str:
    """Check rendered policy text against the API's limits (length and Latin-1 characters)."""
    if len(text) > POLICY_MAX_LENGTH:
        raise InvalidInputError(
            f"{what} is {len(text)} characters as compact JSON; Comprehend accepts at most {POLICY_MAX_LENGTH}"
        )
    bad = _OUTSIDE_POLICY_CHARACTERS.search(text)
    if bad:
        raise InvalidInputError(
            f"{what} holds {bad.group()!r} (U+{ord(bad.group()):04X}); Comprehend accepts only Latin-1 characters in a policy"
        )
    return text


def _check_principal_element(value: Any, where: str, partition: str, allow_wildcard: bool) -> None:
    if value == "*":
        value = {"AWS": "*"}
    if not isinstance(value, dict) or not value:
        raise InvalidInputError(f"{where}: needs a Principal with AWS and/or Service principals")
    for kind, items in value.items():
        if kind not in (AWS, SERVICE) or not as_list(items):
            raise InvalidInputError(f"{where}: Principal.{kind} is not a non-empty AWS or Service principal list")
        for item in as_list(items):
            principal = Principal.parse(item, partition, option=f"{where} Principal.{kind}", allow_wildcard=allow_wildcard,
                                        allow_service=kind == SERVICE)
            if principal.kind != kind:
                raise InvalidInputError(f"{where}: {item!r} is not a {kind} principal")


def check_policy(value: Any, partition: str, allow_wildcard: bool) -> Policy:
    """Load a whole policy and refuse what a Comprehend model policy can't or shouldn't hold."""
    policy = load_policy(value)
    seen_ids = set()
    for index, statement in enumerate(statements_of(policy)):
        where = f"policy Statement[{index}]"
        sid = statement.get("Sid")
        if sid is not None:
            if not isinstance(sid, str) or sid in seen_ids:
                raise InvalidInputError(f"{where}: Sid {sid!r} is not a string, or it is used twice")
            seen_ids.add(sid)
        for key in ("NotAction", "NotPrincipal"):
            if key in statement:
                raise InvalidInputError(f"{where}: {key} is not allowed; name Action {IMPORT_ACTION} and the Principal")
        actions = as_list(statement.get("Action"))
        if not actions or any(not isinstance(action, str) or action.lower() != IMPORT_ACTION.lower() for action in actions):
            raise InvalidInputError(
                f"{where}: Action must be {IMPORT_ACTION}, the only action a Comprehend model policy grants; "
                f"got {statement.get('Action')!r}"
            )
        # A wildcard in a Deny statement takes access away from everyone: no opt-in needed for that.
        _check_principal_element(statement.get("Principal"), where, partition,
                                 allow_wildcard or statement["Effect"] == "Deny")
    check_policy_text(render_policy(policy))
    return policy


def build_request(params: Mapping[str, Any], arn_option: str = "resource_arn") -> PolicyRequest:
    """The request for O(resource_arn) from the module's options as its argument spec validated them (every option
    present, with its default, type and choices); here go the checks the spec can't make. No AWS needed.

    Raises InvalidInputError with a message for the user.
    """
    model = parse_model_arn(params["resource_arn"], option=arn_option)
    state = params["state"]
    statement_id = check_statement_id(params["statement_id"])
    allow_wildcard = params["allow_wildcard_principal"]
    if params["policy"] is not None:
        if state == "absent":
            raise InvalidInputError("policy can't be used with state=absent; state=absent alone deletes the whole policy")
        return PolicyRequest(model, state, statement_id, policy=check_policy(params["policy"], model.partition, allow_wildcard))
    if params["principals"] is None:
        if state == "present":
            raise InvalidInputError("state=present needs principals or policy")
        return PolicyRequest(model, state, statement_id)
    principals = frozenset(
        # Taking a wildcard away needs no opt-in.
        Principal.parse(item, model.partition, allow_wildcard=allow_wildcard or state == "absent")
        for item in params["principals"]
    )
    return PolicyRequest(model, state, statement_id, principals=principals, purge=params["purge_principals"])


def build_requests(params: Mapping[str, Any]) -> List[PolicyRequest]:
    """One request per model version: O(resource_arn), or each of O(resource_arns) once, every one checked before
    the first AWS call. ``params`` as for build_request; the spec makes exactly one of the two options set."""
    arns = params["resource_arns"]
    if arns is None:
        return [build_request(params)]
    if not arns:
        raise InvalidInputError("resource_arns must name at least one model version ARN")
    # dict keeps the first of each ARN in order: the same model twice in one task would contend with itself.
    return [build_request(dict(params, resource_arn=arn), arn_option="resource_arns") for arn in dict.fromkeys(arns)]


def planned_without_policy(params: Mapping[str, Any], requests: List[PolicyRequest]) -> FrozenSet[str]:
    """O(planned_without_policy), each ARN checked to be one of the task's model versions."""
    planned = params["planned_without_policy"]
    if planned and params["resource_arns"] is None:
        raise InvalidInputError("planned_without_policy goes with resource_arns, the form a plan of many versions uses")
    unknown = sorted(set(planned) - {request.model.arn for request in requests})
    if unknown:
        raise InvalidInputError(f"planned_without_policy: {', '.join(unknown)} not in resource_arns; name only model "
                                "versions this task manages, as the check-mode run of the same task returned them")
    return frozenset(planned)


def _owned(policy: Optional[Policy], statement_id: str) -> List[Tuple[int, Statement]]:
    return [(index, statement) for index, statement in enumerate(statements_of(policy))
            if isinstance(statement, dict) and statement.get("Sid") == statement_id]


def statement_principals(statement: Statement, partition: str) -> FrozenSet[Principal]:
    """The principals a statement names, canonical."""
    principals = read_principals(statement.get("Principal"), partition)
    if principals is None:
        raise OperationError(f"statement {statement.get('Sid')!r} has a Principal this module can't read: {statement.get('Principal')!r}")
    return principals


def owned_principals(policy: Optional[Policy], request: PolicyRequest) -> List[str]:
    """The principals of the statement(s) with the request's Sid, sorted (the module's ``principals`` result)."""
    found = set()
    for _index, statement in _owned(policy, request.statement_id):
        found.update(principal.value for principal in statement_principals(statement, request.model.partition))
    return sorted(found)


def _owned_statement(policy: Policy, request: PolicyRequest) -> Tuple[Optional[int], Optional[Statement]]:
    owned = _owned(policy, request.statement_id)
    if len(owned) > 1:
        raise OperationError(
            f"the policy of {request.model.arn} has {len(owned)} statements with Sid {request.statement_id!r}; "
            "fix it with the policy option first", resource_arn=request.model.arn)
    if not owned:
        return None, None
    index, statement = owned[0]
    if statement.get("Effect") != "Allow" or any(key in statement for key in ("NotAction", "NotPrincipal", "NotResource")):
        raise OperationError(
            f"statement {request.statement_id!r} in the policy of {request.model.arn} is not an Allow statement this "
            "module can manage; choose another statement_id, or replace the whole document with the policy option",
            resource_arn=request.model.arn)
    return index, statement


def plan(current: AttachedPolicy, request: PolicyRequest) -> Optional[Policy]:
    """The policy the request wants, given the attached one (None: no policy)."""
    if request.policy is not None:
        return request.policy
    if request.principals is None:
        return None
    if isinstance(current, str):
        raise OperationError(
            f"the resource policy of {request.model.arn} is not a policy document this module can edit; "
            "replace it with the policy option or delete it with state=absent", resource_arn=request.model.arn)
    index, statement = _owned_statement(current or {}, request)
    have = statement_principals(statement, request.model.partition) if statement else frozenset()
    if request.state == "absent":
        want = have - request.principals
    elif request.purge:
        want = request.principals
    else:
        want = have | request.principals
    statements = list(statements_of(current))
    if want:
        # Other elements of an existing owned statement (a Condition, say) are kept.
        owned = dict(statement or {"Sid": request.statement_id})
        owned.update(Effect="Allow", Principal=render_principals(want), Action=IMPORT_ACTION, Resource="*")
        if index is None:
            statements.append(owned)
        else:
            statements[index] = owned
    elif index is not None:
        del statements[index]
    if not statements:
        return None
    policy = dict(current or {"Version": CURRENT_POLICY_VERSION})
    policy["Statement"] = statements
    return policy


def parse_stored(stored: Optional[Stored]) -> AttachedPolicy:
    """The attached policy as a document, or its raw text when it isn't one."""
    if stored is None:
        return None
    try:
        return load_policy(stored.document)
    except InvalidInputError:
        return stored.document


def same_policy(current: AttachedPolicy, desired: Optional[Policy], partition: str) -> bool:
    return not isinstance(current, str) and policies_equal(current, desired, partition)


@dataclass(frozen=True)
class ResourcePolicyPlanner:
    """converge.Planner of one request on one model version's resource policy."""

    request: PolicyRequest

    def plan(self, stored: Optional[Stored]) -> Change:
        current = parse_stored(stored)
        desired = plan(current, self.request)
        if same_policy(current, desired, self.request.model.partition):
            return Change(current, current, False)
        if desired is not None:
            check_policy_text(render_policy(desired), "the resulting policy")
        return Change(current, desired, True)

    def lost(self, written: Change, read_back: Change) -> List[str]:
        return ["the change is not in the policy read back"] if read_back.changed else []


def outcome_result(outcome: Outcome, request: PolicyRequest, diff: bool = False) -> Dict[str, Any]:
    """One item of the module's ``resources``: one model version's return values, with its diff in diff mode."""
    result: Dict[str, Any] = {
        "changed": outcome.changed,
        "resource_arn": request.model.arn,
        "policy": outcome.after,
        "policy_revision_id": outcome.revision_id,
        "principals": owned_principals(outcome.after, request),
    }
    if diff:
        result["diff"] = {"before": {} if outcome.before is None else outcome.before,
                          "after": {} if outcome.after is None else outcome.after}
    return result


def resources_result(requests: List[PolicyRequest], outcomes: List[Outcome], single_arn: bool,
                     diff: bool = False) -> Dict[str, Any]:
    """The module's return values: ``resources``, one item per model version, in both forms. With O(resource_arn)
    (``single_arn``) the only item's values are returned at the top too, as before 0.2.0, its diff included; with
    O(resource_arns) Ansible shows one diff per model version, under its ARN."""
    resources = [outcome_result(outcome, request, diff=diff) for request, outcome in zip(requests, outcomes)]
    result: Dict[str, Any] = {"changed": any(item["changed"] for item in resources), "resources": resources}
    if single_arn:
        result.update(resources[0])
    elif diff:
        result["diff"] = [dict(item["diff"], before_header=item["resource_arn"], after_header=item["resource_arn"])
                          for item in resources]
    return result
