# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure core of kms_comprehend_grant: this module's own statements in a KMS key policy (no boto3 here).

The module owns only the statements it can prove it wrote: a Sid made of SID_PREFIX, the statement's kind and a
digest of the statement's own content (canonical, so that KMS's normalisation doesn't change it). A statement whose
Sid merely starts with the prefix is someone else's, kept exactly as it is. The module reads its statements back into
a set of (principal, model) grants, applies the requested change to that set, and renders the set again in one
canonical, compact form: the models that share the same principals go into one pair of statements (the guide's
first example: kms:Decrypt + kms:GenerateDataKey under aws:SourceArn, kms:CreateGrant under
kms:EncryptionContext:aws:comprehend:arn). Exact model ARNs are rendered under StringEquals, patterns with ``*``
under StringLike, in separate statements: two operators in one Condition block would be ANDed.
Every other statement is kept as the very same object, in the same order and place.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import AbstractSet, Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import KEY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import MODEL_ARN_MAX_LENGTH
from ansible_collections.seed.comprehend.plugins.module_utils.arns import MODEL_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Statement
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import compact_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_equal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import AWS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal

# Sids are letters and digits only: the prefix, the statement's kind ("Like" for patterns) and a digest of its content.
SID_PREFIX = "SeedComprehendImport"
DIGEST_LENGTH = 16  # hex digits of SHA-256: enough that no statement gets a digest of its content by chance
# KMS's documented key policy limit, in bytes of the policy text as sent. KMS's own LimitExceededException stays the
# authority: the option that changes this limit may raise it (should AWS raise theirs) but the check never refuses
# more than KMS would.
POLICY_SIZE_LIMIT = 32768

EXACT = "StringEquals"
PATTERN = "StringLike"
SOURCE_ARN_KEY = "aws:SourceArn"
CONTEXT_KEY = "kms:EncryptionContext:aws:comprehend:arn"
# The two statements of one group, in the order they are rendered: (Sid part, actions, condition key).
STATEMENT_KINDS = (
    ("Decrypt", ("kms:Decrypt", "kms:GenerateDataKey"), SOURCE_ARN_KEY),
    ("CreateGrant", ("kms:CreateGrant",), CONTEXT_KEY),
)
DECRYPT, CREATE_GRANT = (name for name, _actions, _key in STATEMENT_KINDS)
# Action set (lower case, as IAM compares them) -> (kind, the condition key its statement must use).
_KIND_BY_ACTIONS = {frozenset(action.lower() for action in actions): (name, key) for name, actions, key in STATEMENT_KINDS}
_OWNED_ELEMENTS = frozenset(("Sid", "Effect", "Principal", "Action", "Resource", "Condition"))

# A model ARN pattern: the partition literal, then region, account and resource parts that may hold `*`
# (which matches across ``:`` and ``/`` in StringLike) and may be left out after a `*`.
MODEL_PATTERN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):comprehend:"
    r"(?P<region>[a-z0-9*-]+)(?::(?P<account>[0-9*]+)(?::(?P<resource>[a-zA-Z0-9/*-]*))?)?\Z"
)

Grant = Tuple[str, str]  # (canonical principal, model ARN or pattern)


@dataclass(frozen=True)
class ModelRef:
    """One entry of model_arns: an exact model (version) ARN, or a pattern with ``*``."""

    value: str
    partition: str
    region: Optional[str]  # None when a wildcard leaves it open
    account: Optional[str]
    is_pattern: bool


@dataclass(frozen=True)
class GrantRequest:
    """The module's options, checked and canonical."""

    state: str
    partition: str
    models: Tuple[str, ...]
    principals: Tuple[str, ...]
    purge_principals: bool
    warnings: Tuple[str, ...] = ()
    policy_size_limit: int = POLICY_SIZE_LIMIT


@dataclass(frozen=True)
class Plan:
    """What one run does to one key policy."""

    before: Policy
    after: Policy  # ``before`` itself when nothing changes
    grants: FrozenSet[Grant]
    changed: bool
    warnings: Tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementContent:
    """What one statement of the module's shape says, canonical as KMS may hand it back: principals as sorted root
    ARNs or IAM ARNs, models sorted, the kind instead of the actions (whatever their case or list form)."""

    kind: str  # DECRYPT or CREATE_GRANT
    operator: str
    principals: Tuple[str, ...]
    models: Tuple[str, ...]

    def sid(self) -> str:
        """The Sid the module gives a statement of this content: it carries a digest of all of it."""
        return self._sid(json.dumps([self.kind, self.operator, self.principals, self.models]))

    def legacy_sid(self) -> str:
        """The Sid release 0.1.0 gave it, whose digest covered the principals only."""
        return self._sid("\n".join(self.principals))

    def _sid(self, digested: str) -> str:
        digest = hashlib.sha256(digested.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
        return f"{SID_PREFIX}{self.kind}{'Like' if self.operator == PATTERN else ''}{digest}"

    def grants(self) -> Set[Grant]:
        return {(principal, model) for principal in self.principals for model in self.models}


@dataclass(frozen=True)
class Reading:
    """What the module finds in a key policy."""

    grants: FrozenSet[Grant]
    owned: FrozenSet[int]  # indices of the statements it proves it wrote
    look_alikes: Tuple[Tuple[str, str], ...]  # (Sid, why it isn't the module's) of the others with its prefix


def parse_model_ref(value: str, option: str = "model_arns") -> ModelRef:
    """Parse an exact Comprehend model ARN, or a pattern with ``*`` such as ``arn:aws:comprehend:*``."""
    if "*" not in value:
        model = parse_model_arn(value, option)
        return ModelRef(model.arn, model.partition, model.region, model.account, False)
    match = MODEL_PATTERN_RE.match(value)
    if len(value) > MODEL_ARN_MAX_LENGTH or not match:
        raise InvalidInputError(
            f"{option}: {value!r} is neither a Comprehend model ARN nor a pattern of one; a pattern keeps "
            "arn:PARTITION:comprehend: literal and uses * for the rest, e.g. arn:aws:comprehend:*"
            " or arn:aws:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/*"
        )
    parts = match.group("region", "account", "resource")
    if "*" not in next(part for part in reversed(parts) if part is not None):
        # Without a trailing wildcard a shortened pattern can't match a whole model ARN.
        raise InvalidInputError(f"{option}: the pattern {value!r} can't match any model ARN: end it with *")
    region, account = (part if part and "*" not in part else None for part in parts[:2])
    return ModelRef(value, match.group("partition"), region, account, True)


def parse_key_arn(value: str) -> Tuple[str, str, str]:
    """(partition, region, account) of a KMS key ARN."""
    match = KEY_ARN_RE.match(value or "")
    if not match:
        raise InvalidInputError(f"key_id: {value!r} is not a KMS key ARN")
    return match.group("partition"), match.group("region"), match.group("account")


def _check_scope(model: ModelRef, key_arn: str, partition: str, region: str, account: str) -> None:
    for what, wanted, got in (("partition", partition, model.partition), ("region", region, model.region),
                              ("account", account, model.account)):
        if got is not None and got != wanted:
            raise InvalidInputError(
                f"model_arns: {model.value!r} is in {what} {got!r} but the key {key_arn} is in {what} {wanted!r}; "
                "a key policy can only share models of the key's own account and region"
            )


def _unique(values: Iterable[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _principal(value: str, partition: str) -> str:
    # A key policy statement can't name a service here, and no option allows a wildcard on a key.
    return Principal.parse(value, partition, wildcard_opt_in=None, allow_service=False).value


def build_grant_request(params: Mapping[str, Any], key_arn: str) -> GrantRequest:
    """The request of kms_comprehend_grant's options for the resolved key ARN.

    ``params`` are the module's options as its argument spec left them: typed, with their defaults, ``state`` one of
    its choices. What the spec can't say is checked here, once: a positive size limit, the models' ARNs and their
    scope (the key's partition, account and region), the principals. Raises InvalidInputError naming the option.
    """
    partition, region, account = parse_key_arn(key_arn)
    size_limit = params["policy_size_limit"]
    if size_limit < 1:
        raise InvalidInputError(f"policy_size_limit must be a positive number of bytes, got {size_limit!r}")
    # None: the option was not given, which state=absent allows.
    refs = [parse_model_ref(value) for value in params["model_arns"] or ()]
    for ref in refs:
        _check_scope(ref, key_arn, partition, region, account)
    principals = _unique(_principal(value, partition) for value in params["principals"] or ())
    if params["state"] == "present":
        for option, given in (("model_arns", refs), ("principals", principals)):
            if not given:
                raise InvalidInputError(f"{option} must name at least one item with state=present")
    warnings = tuple(
        f"model_arns: {ref.value!r} is a pattern: the grant covers every model version it matches, not a single one"
        for ref in refs if ref.is_pattern
    )
    return GrantRequest(state=params["state"], partition=partition, models=_unique(ref.value for ref in refs),
                        principals=principals, purge_principals=params["purge_principals"], warnings=_unique(warnings),
                        policy_size_limit=size_limit)


def check_key(metadata: Mapping[str, Any]) -> None:
    """Refuse keys whose policy can't or shouldn't carry a grant (KeyMetadata from DescribeKey)."""
    arn = metadata.get("Arn")
    manager = metadata.get("KeyManager")
    if manager == "AWS":
        raise OperationError(
            f"The key {arn} is an AWS managed key: its key policy can't be changed, so a model encrypted with it "
            "can't be shared with another account. Encrypt the model with a customer managed key (or an AWS owned key).",
            key_arn=arn, key_manager=manager,
        )
    state = metadata.get("KeyState")
    if state != "Enabled":
        raise OperationError(
            f"The key {arn} is in state {state}, not Enabled: an importer couldn't use it. "
            "Enable it (or cancel its deletion) before sharing a model encrypted with it.",
            key_arn=arn, key_manager=manager, key_state=state,
        )


def has_prefix(statement: Any) -> bool:
    """True for a statement whose Sid starts with the module's prefix: its own, or a look-alike."""
    return isinstance(statement, dict) and isinstance(statement.get("Sid"), str) and statement["Sid"].startswith(SID_PREFIX)


def owns(statement: Any, partition: str) -> bool:
    """True for a statement whose Sid is the digest of its own content: one this module wrote, as it wrote it.

    ``partition`` is that of the key, for account IDs KMS may hand back instead of root ARNs. Release 0.1.0's
    statements prove nothing alone: read_policy adopts them only as whole pairs.
    """
    return _signed(statement, statement_content(statement, partition))


def _signed(statement: Statement, content: Optional[StatementContent]) -> bool:
    return content is not None and statement["Sid"] == content.sid()


def _canonical_principal(value: Any, partition: str) -> str:
    return Principal.read(AWS, value, partition).value


def _single(mapping: Any) -> Optional[Tuple[str, Any]]:
    """The only (key, value) of a one-item dict, else None."""
    if isinstance(mapping, dict) and len(mapping) == 1:
        return next(iter(mapping.items()))
    return None


def _condition(statement: Statement) -> Optional[Tuple[str, str, List[Any]]]:
    """(operator, key, values) of a Condition with one operator and one key, else None."""
    condition = _single(statement.get("Condition"))
    entry = _single(condition[1]) if condition else None
    if entry is None:
        return None
    return condition[0], entry[0], as_list(entry[1])


def _shape_problem(statement: Statement) -> Optional[str]:
    """Why a statement isn't of the shape this module writes (None when it is)."""
    extra = sorted(set(statement) - _OWNED_ELEMENTS)
    if extra:
        return f"has the elements {extra}"
    if statement.get("Effect") != "Allow" or as_list(statement.get("Resource")) != ["*"]:
        return 'is not an Allow on Resource "*"'
    principal = _single(statement.get("Principal"))
    if principal is None or principal[0] != "AWS" or not as_list(principal[1]) \
            or not all(isinstance(value, str) for value in as_list(principal[1])):
        return "doesn't name AWS principals only"
    actions = frozenset(str(action).lower() for action in as_list(statement.get("Action")))
    condition = _condition(statement)
    if actions not in _KIND_BY_ACTIONS or condition is None or condition[0] not in (EXACT, PATTERN):
        return "isn't one of its Decrypt/GenerateDataKey or CreateGrant statements with one condition"
    operator, key, values = condition
    if key.lower() != _KIND_BY_ACTIONS[actions][1].lower():
        return f"uses the condition key {key!r}"
    if not values or not all(isinstance(value, str) for value in values):
        return "has no model ARNs in its condition"
    if operator == EXACT and any("*" in value for value in values):
        return "has a * under StringEquals"
    return None


def statement_content(statement: Any, partition: str) -> Optional[StatementContent]:
    """The canonical content of a statement with the module's prefix and shape, else None."""
    if not has_prefix(statement) or _shape_problem(statement):
        return None
    kind = _KIND_BY_ACTIONS[frozenset(str(action).lower() for action in as_list(statement["Action"]))][0]
    operator, _key, models = _condition(statement)
    principals = {_canonical_principal(value, partition) for value in as_list(statement["Principal"]["AWS"])}
    return StatementContent(kind, operator, tuple(sorted(principals)), tuple(sorted(set(models))))


def _legacy_pairs(statements: List[Statement], contents: Mapping[int, StatementContent]) -> Set[int]:
    """Indices of the statement pairs release 0.1.0 wrote, adopted on upgrade so that its grants aren't doubled.

    Its Sid digest covered the principals only, so one statement proves little: a pair is adopted only whole and
    exactly as 0.1.0 rendered it (a Decrypt and a CreateGrant statement with its Sids, the same principals and
    models). A lone or edited one stays someone else's, so a look-alike Decrypt statement is never completed.
    The next write renders adopted pairs with the current Sids.
    """
    legacy = [index for index, content in contents.items() if statements[index]["Sid"] == content.legacy_sid()]
    partners: Dict[StatementContent, List[int]] = {}
    for index in legacy:
        if contents[index].kind == CREATE_GRANT:
            partners.setdefault(contents[index], []).append(index)
    adopted = set()
    for index in legacy:
        candidates = partners.get(replace(contents[index], kind=CREATE_GRANT)) if contents[index].kind == DECRYPT else None
        if candidates:
            adopted |= {index, candidates.pop(0)}
    return adopted


def _why_not_owned(statement: Statement, content: Optional[StatementContent]) -> str:
    """Why a statement with the module's prefix is not the module's (its content as statement_content read it)."""
    if content is None:
        return _shape_problem(statement)
    if statement["Sid"] == content.legacy_sid():
        return "is one half of a pair of statements release 0.1.0 wrote, without its exact other half"
    return "has a Sid that is not the digest of its content"


def read_policy(policy: Policy, partition: str) -> Reading:
    """The statements the module proves it wrote, and the grants they hold.

    A grant counts only when both statements of its pair hold it: a principal that one of the module's statements
    lets decrypt never gains kms:CreateGrant from a rerun. The rest of such a damaged pair goes at the next write.
    """
    statements = statements_of(policy)
    contents = {index: statement_content(statement, partition) for index, statement in enumerate(statements)}
    owned = {index for index, content in contents.items() if _signed(statements[index], content)}
    owned |= _legacy_pairs(statements, {index: content for index, content in contents.items() if content is not None})
    held: Dict[str, Set[Grant]] = {DECRYPT: set(), CREATE_GRANT: set()}
    for index in owned:
        held[contents[index].kind] |= contents[index].grants()
    look_alikes = tuple((statement["Sid"], _why_not_owned(statement, contents[index]))
                        for index, statement in enumerate(statements) if has_prefix(statement) and index not in owned)
    return Reading(grants=frozenset(held[DECRYPT] & held[CREATE_GRANT]), owned=frozenset(owned), look_alikes=look_alikes)


def read_grants(policy: Policy, partition: str) -> FrozenSet[Grant]:
    """Every (principal, model) grant the module's statements hold in a key policy."""
    return read_policy(policy, partition).grants


def apply_request(grants: FrozenSet[Grant], request: GrantRequest) -> FrozenSet[Grant]:
    """The grants after the requested change."""
    models, principals = set(request.models), set(request.principals)
    if request.state == "present":
        kept = {grant for grant in grants if not (request.purge_principals and grant[1] in models)}
        return frozenset(kept | {(principal, model) for principal in principals for model in models})
    return frozenset(
        (principal, model) for principal, model in grants
        if (models and model not in models) or (principals and principal not in principals)
    )


def principals_by_model(grants: Iterable[Grant]) -> Dict[str, Set[str]]:
    result: Dict[str, Set[str]] = {}
    for principal, model in grants:
        result.setdefault(model, set()).add(principal)
    return result


def render_owned(grants: Iterable[Grant]) -> List[Statement]:
    """The module's statements for a set of grants, in canonical order and compact form."""
    groups: Dict[Tuple[Tuple[str, ...], str], List[str]] = {}
    for model, principals in principals_by_model(grants).items():
        operator = PATTERN if "*" in model else EXACT
        groups.setdefault((tuple(sorted(principals)), operator), []).append(model)
    statements = []
    for (principals, operator), models in sorted(groups.items()):
        for name, actions, key in STATEMENT_KINDS:
            statements.append({
                "Sid": StatementContent(name, operator, principals, tuple(sorted(models))).sid(),
                "Effect": "Allow",
                "Principal": {"AWS": compact_list(list(principals))},
                "Action": compact_list(list(actions)),
                "Resource": "*",
                "Condition": {operator: {key: compact_list(sorted(models))}},
            })
    return statements


def compose_policy(policy: Policy, owned: AbstractSet[int], statements: List[Statement]) -> Policy:
    """The policy with the statements at the indices ``owned`` replaced by ``statements``.

    Foreign statements are the same objects in the same order; those before the first owned statement keep
    their index. The owned block goes where the first owned statement was, or at the end.
    """
    current = statements_of(policy)
    at = min(owned, default=len(current))
    foreign = [statement for index, statement in enumerate(current) if index not in owned]
    result = dict(policy)
    result["Statement"] = foreign[:at] + statements + foreign[at:]
    return result


def policy_size(policy: Policy) -> int:
    """Bytes of the document as sent to KMS."""
    return len(render_policy(policy).encode("utf-8"))


def suggest_pattern(models: Iterable[str]) -> Optional[str]:
    """A pattern that would replace the most single grants: all versions of the most listed model."""
    counts = Counter()
    for model in models:
        match = MODEL_ARN_RE.match(model)
        if match:
            counts[match.group("partition", "region", "account", "type", "name")] += 1
    if not counts:
        return None
    (partition, region, account, resource_type, name), count = counts.most_common(1)[0]
    if count > 1:
        return f"arn:{partition}:comprehend:{region}:{account}:{resource_type}/{name}/version/*"
    return f"arn:{partition}:comprehend:{region}:{account}:{resource_type}/*"


def _limit_name(limit: int) -> str:
    if limit == POLICY_SIZE_LIMIT:
        return f"the KMS limit of {limit} bytes"
    return (f"the limit of {limit} bytes set by policy_size_limit (share_model_key_policy_size_limit in the share_model role; "
            f"KMS documents {POLICY_SIZE_LIMIT})")


def check_size(policy: Policy, owned: AbstractSet[int], grants: FrozenSet[Grant], limit: int = POLICY_SIZE_LIMIT) -> None:
    """Fail before any write when the rendered policy is over ``limit`` bytes, saying how many grants fit."""
    size = policy_size(compose_policy(policy, owned, render_owned(grants)))
    if size <= limit:
        return
    ordered = sorted(grants, key=lambda grant: (grant[1], grant[0]))
    fit = 0
    while fit < len(ordered) and policy_size(compose_policy(policy, owned, render_owned(ordered[:fit + 1]))) <= limit:
        fit += 1
    pattern = suggest_pattern(model for _principal, model in ordered)
    # The share_model role shares single model versions only: its users need the other way out.
    hint = (f" Grant a pattern instead of single models, such as {pattern!r}, with kms_comprehend_grant; the share_model role "
            "grants single model versions, so share fewer of them per key (or with fewer key principals) per play."
            if pattern else "")
    raise OperationError(
        f"The key policy would be {size} bytes, over {_limit_name(limit)}: only {fit} of the "
        f"{len(ordered)} (principal, model) grants fit. Nothing was written.{hint}",
        policy_size=size, grants_that_fit=fit, grants_wanted=len(ordered), suggested_pattern=pattern,
    )


def _check_sid_clashes(policy: Policy, owned: AbstractSet[int], statements: List[Statement]) -> None:
    """Refuse to write a Sid that a statement the module doesn't own already has.

    "Remove duplicate JSON policy elements and SID values" (AWS re:Post Knowledge Center, kms-policy-error-invalid-principals,
    on PutKeyPolicy's MalformedPolicyDocumentException; the IAM JSON reference: "the Sid value must be unique within a
    JSON policy"), and the other statement isn't the module's to change.
    """
    sids = {statement["Sid"] for statement in statements}
    for index, statement in enumerate(statements_of(policy)):
        if index not in owned and has_prefix(statement) and statement["Sid"] in sids:
            problem = _shape_problem(statement)
            raise OperationError(
                f"The key policy statement {statement['Sid']!r} has the Sid this module would give one of its own "
                f"statements, but {'it ' + problem if problem else 'other content'}: the module only changes statements "
                "it can prove it wrote, and KMS requires each Sid of a key policy to be unique. Nothing was written. "
                "Give that statement another Sid, or remove it.",
                sid=statement["Sid"],
            )


def plan_change(policy: Policy, request: GrantRequest) -> Plan:
    """Apply the request to a key policy as read; raises before any write when the result can't be sent."""
    reading = read_policy(policy, request.partition)
    wanted = apply_request(reading.grants, request)
    statements = render_owned(wanted)
    after = compose_policy(policy, reading.owned, statements)
    warnings = tuple(
        f"The key policy statement {sid!r} carries this module's Sid prefix {SID_PREFIX!r} but {why}: the module didn't "
        "write it as it is, so it left it alone, and its grants aren't in the module's grants"
        for sid, why in reading.look_alikes
    )
    if policies_equal(policy, after, request.partition):
        return Plan(before=policy, after=policy, grants=wanted, changed=False, warnings=warnings)
    if not statements_of(after):
        raise OperationError("The key policy holds only this module's statements: removing them would leave it empty")
    _check_sid_clashes(policy, reading.owned, statements)
    if not wanted <= reading.grants:  # a removal only ever shrinks the policy: never refuse it for its size
        check_size(policy, reading.owned, wanted, request.policy_size_limit)
    return Plan(before=policy, after=after, grants=wanted, changed=True, warnings=warnings)


def verify_written(plan: Plan, policy: Policy, partition: str) -> List[str]:
    """What is wrong with a key policy read back after writing ``plan`` (empty when all is there)."""
    stored = read_policy(policy, partition)
    problems = []
    if stored.grants != plan.grants:
        problems.append("this module's statements are not as written")
    pool = [statement for index, statement in enumerate(statements_of(policy)) if index not in stored.owned]
    before = statements_of(plan.before)
    for index in sorted(set(range(len(before))) - read_policy(plan.before, partition).owned):
        statement = before[index]
        match = next((number for number, other in enumerate(pool) if statements_equal(statement, other, partition)), None)
        if match is None:
            problems.append(f"the statement {statement.get('Sid', '(no Sid)')!r} that was there before is gone or changed")
        else:
            del pool[match]
    return problems


def grants_result(grants: Iterable[Grant]) -> List[Dict[str, Any]]:
    """The grants as returned to the user: one entry per model, sorted."""
    return [{"model_arn": model, "principals": sorted(principals)}
            for model, principals in sorted(principals_by_model(grants).items())]
