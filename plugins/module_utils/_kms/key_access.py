# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure evaluation of a KMS key policy for one Comprehend model version: who may use the key to import it (no boto3 here).

Every statement counts, whoever wrote it: the policy is evaluated as KMS evaluates it, not read for this collection's
Sids. The request evaluated is the one Comprehend makes with the owner's key when another account imports the model
version (the AWS guide "Sharing a custom model with another AWS account"): kms:Decrypt and kms:GenerateDataKey, whose
request context holds aws:SourceArn and kms:EncryptionContext:aws:comprehend:arn, both the model version ARN, and
kms:CreateGrant, whose context holds kms:EncryptionContext:aws:comprehend:arn only (the guide pairs aws:SourceArn
with Decrypt and GenerateDataKey alone).

The rules applied, each from AWS's documentation:

* IAM policy evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
  an applicable Deny wins over any Allow; without an applicable Allow the answer is no.
* Action / NotAction and Resource / NotResource, a string or a list, with ``*`` and ``?`` wildcards; actions compare
  case-insensitively (IAM JSON policy elements: Action, NotAction, Resource, NotResource). A statement with neither
  Resource nor NotResource, or neither Action nor NotAction, applies to nothing.
* Principal (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html): ``"*"`` and
  ``{"AWS": "*"}`` name everyone; an account ID or ``arn:PARTITION:iam::ACCOUNT:root`` names the account, which
  "delegates" to its IAM: any user or role of it that its IAM policies allow (KMS "Default key policy", "Allows access
  to the AWS account and enables IAM policies", and "Allowing users in other accounts to use a KMS key": a foreign
  principal needs the key policy AND its own account's IAM policies); a user or role ARN names that one identity
  (which still needs its own IAM policy when it is of another account). A Deny naming an account denies every identity
  of it. ``{"Service": ...}`` names no IAM identity. NotPrincipal is not evaluated (reported as unknown).
* Condition (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  every operator and key of a block must hold, any value of a key may match. Evaluated: StringEquals, StringNotEquals,
  StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike (``*`` and ``?``), their ``IfExists``
  forms (a key absent from the request passes), and the ForAnyValue: / ForAllValues: qualifiers (with a single-valued
  key present they test like the bare operator; absent, ForAnyValue fails and ForAllValues holds: IAM "Single-valued vs.
  multivalued context keys"), on the keys aws:SourceArn and kms:EncryptionContext:aws:comprehend:arn (KMS condition
  keys, kms:EncryptionContext:context-key), compared case-insensitively as IAM compares condition key names; and on
  kms:CallerAccount and aws:PrincipalAccount, whose value is the account of the principal asked about (an account no
  statement names equals none of the accounts the policy names; a pattern on it is unknown for such an account).
  A key absent from the request fails a positive test and passes a negated one. Any other operator (Arn*, Null,
  Bool...) or key (kms:ViaService, kms:CallerAccount, aws:PrincipalArn...) makes the answer "unknown": never "no".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import MODEL_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import root_arn
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import IMPORTER_KMS_ACTIONS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Statement
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import AWS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import read_principals
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import CONTEXT_KEY
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import SOURCE_ARN_KEY

# The actions Comprehend performs with the source model's key during ImportModel.
IMPORT_KEY_ACTIONS = tuple(sorted(IMPORTER_KMS_ACTIONS))
# The actions whose request carries aws:SourceArn (the guide: "Use this condition key with the kms:GenerateDataKey
# and kms:Decrypt actions").
_SOURCE_ARN_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
MODEL_KEYS = (SOURCE_ARN_KEY.lower(), CONTEXT_KEY.lower())
# The account of the identity that calls KMS (KMS condition keys: kms:CallerAccount; IAM global condition keys:
# aws:PrincipalAccount), known for a principal of a known account. A statement naming everyone under one of these
# conditions (as the AWS console's default key policy does) then applies to the accounts it lists only.
ACCOUNT_KEYS = ("kms:calleraccount", "aws:principalaccount")
# The value of ACCOUNT_KEYS for an identity of an account the policy names nowhere: equal to no account it names.
OTHER_ACCOUNT = "another account"
_ACCOUNT_VALUE_RE = re.compile(r"^[0-9]{12}\Z")

# Three-valued answers, ordered: no < unknown < yes.
NO, UNKNOWN, YES = "no", "unknown", "yes"
_RANK = {NO: 0, UNKNOWN: 1, YES: 2}
# Access of one principal to the key for one model version.
ALLOWED, PARTIAL = "allowed", "partial"

# A model name nobody gives a real model: a statement that lets the key decrypt these probes of both model types
# covers any model of the account, not named ones.
_PROBE_NAME = "seed-comprehend-probe-0000000000000000/version/not-a-model"


def _all(values: Iterable[str]) -> str:
    return min(values, key=_RANK.__getitem__, default=YES)


def _any(values: Iterable[str]) -> str:
    return max(values, key=_RANK.__getitem__, default=NO)


@functools.lru_cache(maxsize=4096)
def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # Cached: an audit matches the same few Action and Resource patterns for every model version.
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` any run of characters (``/`` and ``:`` too), ``?`` any one character."""
    return _glob_regex(pattern, ignore_case).fullmatch(value) is not None


def request_context(action: str, model_arn: str, account: Optional[str] = None) -> Dict[str, str]:
    """The keys this module evaluates of the request context of one KMS call Comprehend makes to import ``model_arn``
    (lower-case keys): the model keys, and with ``account`` (OTHER_ACCOUNT for one the policy doesn't name) the
    caller's account keys."""
    context = {CONTEXT_KEY.lower(): model_arn}
    if action in _SOURCE_ARN_ACTIONS:
        context[SOURCE_ARN_KEY.lower()] = model_arn
    if account:
        context.update((key, account) for key in ACCOUNT_KEYS)
    return context


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_STRING_TESTS: Dict[str, Tuple[Callable[[str, str], bool], bool]] = {
    "stringequals": (lambda actual, expected: actual == expected, False),
    "stringnotequals": (lambda actual, expected: actual == expected, True),
    "stringequalsignorecase": (lambda actual, expected: actual.lower() == expected.lower(), False),
    "stringnotequalsignorecase": (lambda actual, expected: actual.lower() == expected.lower(), True),
    "stringlike": (lambda actual, expected: glob_match(expected, actual), False),
    "stringnotlike": (lambda actual, expected: glob_match(expected, actual), True),
}


def condition_test(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> Tuple[str, Optional[str]]:
    """(YES/NO/UNKNOWN, why it is unknown) of one operator on one key in a request context of model keys."""
    qualifier, _colon, base = str(operator).rpartition(":")
    base = base.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[:-len("ifexists")]
    if qualifier.lower() not in ("", "foranyvalue", "forallvalues") or base not in _STRING_TESTS:
        return UNKNOWN, f"the condition operator {operator}"
    if str(key).lower() not in MODEL_KEYS + ACCOUNT_KEYS or str(key).lower() in ACCOUNT_KEYS and str(key).lower() not in context:
        return UNKNOWN, f"the condition key {key}"
    test, negated = _STRING_TESTS[base]
    actual = context.get(str(key).lower())
    if actual == OTHER_ACCOUNT and base in ("stringlike", "stringnotlike") and any(
            "*" in _scalar(value) or "?" in _scalar(value) for value in as_list(expected)):
        return UNKNOWN, f"the condition key {key} for an account the policy doesn't name"
    if actual is None:
        if qualifier.lower() == "foranyvalue":
            return NO, None
        return (YES if if_exists or negated or qualifier.lower() == "forallvalues" else NO), None
    matched = any(test(actual, _scalar(value)) for value in as_list(expected))
    return (YES if matched != negated else NO), None


def conditions_hold(block: Any, context: Mapping[str, str]) -> Tuple[str, Tuple[str, ...]]:
    """Whether a Condition block holds: (YES/NO/UNKNOWN, what couldn't be evaluated)."""
    if block is None:
        return YES, ()
    if not isinstance(block, dict):
        return UNKNOWN, ("a Condition that is not an object",)
    results, unknown = [], []
    for operator, tests in block.items():
        if not isinstance(tests, dict):
            results.append(UNKNOWN)
            unknown.append(f"the condition operator {operator} without keys")
            continue
        for key, expected in tests.items():
            result, why = condition_test(operator, key, expected, context)
            results.append(result)
            if why:
                unknown.append(why)
    answer = _all(results)
    return answer, (tuple(unknown) if answer == UNKNOWN else ())


def _matches_any(patterns: Any, value: str, ignore_case: bool) -> bool:
    return any(glob_match(str(pattern), value, ignore_case) for pattern in as_list(patterns))


def _element_applies(statement: Statement, name: str, value: str, ignore_case: bool) -> bool:
    if name in statement:
        return _matches_any(statement[name], value, ignore_case)
    if f"Not{name}" in statement:
        return not _matches_any(statement[f"Not{name}"], value, ignore_case)
    return False


def statement_applies(statement: Statement, action: str, key_arn: str, context: Mapping[str, str]) -> Tuple[str, Tuple[str, ...]]:
    """Whether a statement applies to ``action`` on the key in ``context``, whoever asks."""
    if not (_element_applies(statement, "Action", action, True) and _element_applies(statement, "Resource", key_arn, False)):
        return NO, ()
    return conditions_hold(statement.get("Condition"), context)


@dataclass(frozen=True)
class _Statement:
    """One statement, read: its principals (None when they can't be read, such as a NotPrincipal)."""

    index: int
    label: str
    effect: str
    principals: Optional[FrozenSet[Principal]]
    body: Statement

    def names(self, candidate: Optional[Principal], partition: str) -> str:
        """Whether the statement names ``candidate`` (None: an identity of an account no statement names)."""
        if self.principals is None:
            return UNKNOWN
        if any(principal.kind == AWS and principal.is_wildcard for principal in self.principals):
            return YES
        if candidate is None:
            return NO
        values = {principal.value for principal in self.principals if principal.kind == AWS}
        account = candidate.account
        return YES if candidate.value in values or (account and root_arn(partition, account) in values) else NO


def _read_statements(policy: Optional[Policy], partition: str) -> List[_Statement]:
    read = []
    for index, statement in enumerate(statements_of(policy)):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            continue
        principals = None if "NotPrincipal" in statement else read_principals(statement.get("Principal"), partition)
        label = statement.get("Sid") if isinstance(statement.get("Sid"), str) and statement.get("Sid") else f"Statement[{index}]"
        read.append(_Statement(index, label, statement["Effect"], principals, statement))
    return read


@dataclass(frozen=True)
class PrincipalAccess:
    """What the key policy lets one principal do with the key for one model version."""

    principal: str
    category: str
    actions: Tuple[str, ...]  # allowed for sure
    unknown_actions: Tuple[str, ...]  # allowed or not: the policy can't be evaluated here

    @property
    def access(self) -> str:
        """ALLOWED (every import action), UNKNOWN (each allowed or unknown), else PARTIAL."""
        if set(self.actions) >= set(IMPORT_KEY_ACTIONS):
            return ALLOWED
        if set(self.actions) | set(self.unknown_actions) >= set(IMPORT_KEY_ACTIONS):
            return UNKNOWN
        return PARTIAL


@dataclass(frozen=True)
class KeyAccess:
    """Who the key policy lets use the key to import one model version."""

    principals: Tuple[PrincipalAccess, ...]  # each principal an Allow names (``*`` included), with any action possible
    accounts: Mapping[str, str]  # account ID, or "*" for an account no statement names -> YES/UNKNOWN/NO
    unevaluated: Tuple[str, ...]  # what of the policy couldn't be evaluated, per statement

    def account_access(self, account: Optional[str]) -> str:
        """YES when some identity of ``account`` may use the key for every import action (its IAM allowing), UNKNOWN
        when that depends on what couldn't be evaluated, else NO."""
        return self.accounts.get(account or "", self.accounts.get("*", NO))


class KeyPolicyEvaluator:
    """A key policy read once, evaluated for any number of model versions."""

    def __init__(self, policy: Optional[Policy], key_arn: str, partition: str, skip: Iterable[int] = ()) -> None:
        self.key_arn = key_arn
        self.partition = partition
        skipped = set(skip)
        self.statements = [statement for statement in _read_statements(policy, partition) if statement.index not in skipped]
        named: Set[Principal] = set()
        for statement in self.statements:
            named |= {principal for principal in statement.principals or () if principal.kind == AWS and not principal.is_wildcard}
            named |= {Principal(AWS, root_arn(partition, account)) for account in _condition_accounts(statement.body)}
        self.named = sorted(named)

    def _decide(self, candidate: Optional[Principal], action: str, model_arn: str, notes: Set[str]) -> str:
        context = request_context(action, model_arn, candidate.account or OTHER_ACCOUNT if candidate else OTHER_ACCOUNT)
        found = {"Allow": [], "Deny": []}
        for statement in self.statements:
            applies, unknown = statement_applies(statement.body, action, self.key_arn, context)
            result = _all((applies, statement.names(candidate, self.partition)))
            found[statement.effect].append(result)
            if result == UNKNOWN:
                why = ", ".join(unknown) if unknown else "its NotPrincipal or Principal element"
                notes.add(f"{statement.label}: {why} can't be evaluated")
        allow, deny = _any(found["Allow"]), _any(found["Deny"])
        if deny == YES or allow == NO:
            return NO
        return UNKNOWN if UNKNOWN in (allow, deny) else YES

    def evaluate(self, model_arn: str) -> KeyAccess:
        """Who may use the key to import ``model_arn``."""
        notes: Set[str] = set()
        candidates = list(self.named)
        if any(statement.effect == "Allow" and statement.names(None, self.partition) == YES for statement in self.statements):
            candidates.insert(0, Principal(AWS, "*"))  # an Allow names everyone
        principals = []
        for candidate in candidates:
            decided = {action: self._decide(None if candidate.is_wildcard else candidate, action, model_arn, notes) for action in IMPORT_KEY_ACTIONS}
            entry = PrincipalAccess(candidate.value, candidate.category,
                                    tuple(action for action, result in decided.items() if result == YES),
                                    tuple(action for action, result in decided.items() if result == UNKNOWN))
            if entry.actions or entry.unknown_actions:
                principals.append(entry)
        accounts: Dict[str, str] = {"*": self._all_actions(None, model_arn, notes)}
        for account in sorted({principal.account for principal in self.named if principal.account}):
            root = Principal(AWS, root_arn(self.partition, account))
            members = [root] + [principal for principal in self.named if principal.account == account and principal != root]
            accounts[account] = _any(self._all_actions(member, model_arn, notes) for member in members)
        return KeyAccess(tuple(principals), accounts, tuple(sorted(notes)))

    def _all_actions(self, candidate: Optional[Principal], model_arn: str, notes: Set[str]) -> str:
        return _all(self._decide(candidate, action, model_arn, notes) for action in IMPORT_KEY_ACTIONS)

    def broad_statements(self, region: str, account: str) -> List[Tuple[int, str, Tuple[str, ...]]]:
        """(index, label, principals) of the Allow statements that let the key be used to import any model of the key's
        account, whatever its name and type (no model condition, or a pattern such as ``arn:aws:comprehend:*``), to
        principals of other accounts (or everyone); the key's own account doesn't count."""
        probes = [f"arn:{self.partition}:comprehend:{region}:{account}:{kind}/{_PROBE_NAME}" for kind in ("document-classifier", "entity-recognizer")]
        broad = []
        for statement in self.statements:
            if statement.effect != "Allow":
                continue
            # (principal reported, the account asking): everyone stands for any account, and those its conditions name.
            askers = [(principal.value, principal.account or OTHER_ACCOUNT) for principal in statement.principals or ()
                      if principal.kind == AWS and not principal.is_wildcard and principal.account != account]
            if any(principal.kind == AWS and principal.is_wildcard for principal in statement.principals or ()):
                askers += [("*", OTHER_ACCOUNT)] + [(root_arn(self.partition, named), named)
                                                    for named in sorted(_condition_accounts(statement.body) - {account})]
            foreign = tuple(sorted(value for value, asking in askers if all(
                any(statement_applies(statement.body, action, self.key_arn, request_context(action, probe, asking))[0] == YES
                    for action in IMPORT_KEY_ACTIONS) for probe in probes)))
            if foreign:
                broad.append((statement.index, statement.label, foreign))
        return broad


def _condition_accounts(statement: Statement) -> Set[str]:
    """The 12-digit accounts a statement's conditions name on ACCOUNT_KEYS."""
    block = statement.get("Condition")
    return {_scalar(value) for tests in (block.values() if isinstance(block, dict) else ()) if isinstance(tests, dict)
            for key, values in tests.items() if str(key).lower() in ACCOUNT_KEYS
            for value in as_list(values) if _ACCOUNT_VALUE_RE.match(_scalar(value))}


def named_models(policy: Optional[Policy]) -> List[str]:
    """The exact model ARNs (no wildcard) the conditions of a key policy name on the model keys, in order."""
    found: Dict[str, None] = {}
    for statement in statements_of(policy):
        block = statement.get("Condition") if isinstance(statement, dict) else None
        for tests in (block.values() if isinstance(block, dict) else ()):
            for key, values in (tests.items() if isinstance(tests, dict) else ()):
                if str(key).lower() in MODEL_KEYS:
                    found.update((str(value), None) for value in as_list(values) if MODEL_ARN_RE.match(str(value)))
    return list(found)
