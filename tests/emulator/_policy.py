"""A small evaluator for the IAM policy language, as far as the emulator needs it.

It answers "does this policy document allow principal P to perform action A on resource R in request context C?"
for the resource policies of Comprehend models and KMS key policies (:func:`is_allowed`), "do these identity-based
policies of an IAM user or role allow A on R in C?" (:func:`identity_allows`: statements without a Principal), and "does
this role trust policy let P assume the role in C?" (:func:`trust_allows`: statements without a Resource):

* ``Effect`` Allow / Deny: an applicable Deny wins over any Allow; with no applicable Allow the answer is no.
* ``Action`` and ``Resource``: a string or a list, with ``*`` and ``?`` wildcards (actions compare case-insensitively).
  A statement without one of them has no effect, as AWS documents for key policies.
* ``Principal``: ``"*"``, or ``{"AWS": ...}`` holding ``"*"``, 12-digit account IDs or ``arn:PARTITION:iam::ID:root``
  (any identity of that account), IAM user and role ARNs, STS assumed-role session ARNs. A role ARN also admits the
  sessions of that role. ``{"Service": name or [names]}`` admits that AWS service principal (IAM JSON policy reference,
  "AWS service principals"), and never an IAM identity; ``{"AWS": ...}`` never admits a service. In identity-based
  policies a statement with a Principal is invalid (IAM: "You cannot use the Principal element in an identity-based
  policy"): it is skipped.
* ``Condition``: the String* and Arn* operators and their ``...IfExists`` forms, single values or lists (any of them
  matches). Condition keys compare case-insensitively, as in IAM. An operator this module doesn't know makes the
  statement not apply (fail closed), so a policy the emulator can't read never grants more than AWS would.

Not supported, the statement is ignored: NotAction, NotPrincipal, NotResource, ForAnyValue: / ForAllValues:.
This module imports nothing from moto, so it can be tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROOT_ARN = re.compile(r"^arn:[\w-]+:iam::(?P<account>\d{12}):root$")

# The characters AWS accepts in policy documents (Comprehend model policies and KMS key policies alike).
POLICY_CHARACTERS = re.compile(r"[\t\n\r\x20-\xff]+")


@dataclass(frozen=True)
class Principal:
    """An authenticated identity: its account, its ARN and, for an assumed-role session, the ARN of the role.

    A service principal (``service=True``) has its name, e.g. ``comprehend.amazonaws.com``, as ``arn`` and no account.
    """

    account: str
    arn: str
    role_arn: Optional[str] = None
    service: bool = False

    @classmethod
    def for_service(cls, name: str) -> "Principal":
        return cls("", name, service=True)


@dataclass(frozen=True)
class Request:
    """What is asked for. ``resource=None`` skips the Resource check; ``context=None`` takes every Condition as met."""

    action: str
    resource: Optional[str] = None
    context: Optional[Mapping[str, str]] = None


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` is any run of characters, ``?`` any one character, nothing else is special."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def as_list(value: Any) -> List[Any]:
    """Policy elements may hold one value or a list of values."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: Any) -> List[Dict[str, Any]]:
    """The statements of a parsed policy document; anything malformed is skipped."""
    if not isinstance(document, dict):
        return []
    return [statement for statement in as_list(document.get("Statement")) if isinstance(statement, dict)]


def principal_admits(element: Any, principal: Principal) -> bool:
    """Whether a statement's ``Principal`` element names ``principal``."""
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    if principal.service:
        return principal.arn in [value for value in as_list(element.get("Service")) if isinstance(value, str)]
    return any(_aws_value_admits(value, principal) for value in as_list(element.get("AWS")) if isinstance(value, str))


def _aws_value_admits(value: str, principal: Principal) -> bool:
    if value == "*":
        return True
    if ACCOUNT_ID.match(value):
        return value == principal.account
    root = _ROOT_ARN.match(value)
    if root:
        return root.group("account") == principal.account
    return value in (principal.arn, principal.role_arn)


def _string_equals(actual: str, expected: str) -> bool:
    return actual == expected


def _string_equals_ignore_case(actual: str, expected: str) -> bool:
    return actual.lower() == expected.lower()


def _string_like(actual: str, expected: str) -> bool:
    return glob_match(expected, actual)


# Operator name (lower case, without IfExists) -> (test of one value, negated?).
# Arn* operators are treated like their String* counterparts: close enough for whole-ARN values.
_OPERATORS: Dict[str, Tuple[Callable[[str, str], bool], bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "arnequals": (_string_equals, False),
    "arnnotequals": (_string_equals, True),
    "arnlike": (_string_like, False),
    "arnnotlike": (_string_like, True),
}


def conditions_hold(block: Any, context: Mapping[str, str]) -> bool:
    """Whether every test of a ``Condition`` block holds in ``context``.

    IAM semantics: a key absent from the context fails a positive test and passes a negated one or an ``...IfExists`` one.
    """
    if not block:
        return True
    if not isinstance(block, dict):
        return False
    values = {key.lower(): value for key, value in context.items()}
    for operator, tests in block.items():
        name = str(operator).lower()
        if_exists = name.endswith("ifexists")
        if if_exists:
            name = name[:-len("ifexists")]
        if name not in _OPERATORS or not isinstance(tests, dict):
            return False
        test, negated = _OPERATORS[name]
        for key, expected in tests.items():
            actual = values.get(str(key).lower())
            if actual is None:
                if if_exists or negated:
                    continue
                return False
            matched = any(test(actual, str(candidate)) for candidate in as_list(expected))
            if matched == negated:
                return False
    return True


def _action_matches(statement: Dict[str, Any], action: str) -> bool:
    return any(glob_match(pattern, action, ignore_case=True) for pattern in as_list(statement.get("Action")) if isinstance(pattern, str))


def _resource_matches(statement: Dict[str, Any], resource: Optional[str]) -> bool:
    if "Resource" not in statement:
        return False
    return resource is None or any(glob_match(pattern, resource) for pattern in as_list(statement["Resource"]) if isinstance(pattern, str))


def _conditions_met(statement: Dict[str, Any], request: Request) -> bool:
    return request.context is None or conditions_hold(statement.get("Condition"), request.context)


def _evaluate(documents: Sequence[Any], applies: Callable[[Dict[str, Any]], bool]) -> bool:
    """An applicable Deny wins; else some applicable Allow is needed."""
    allowed = False
    for document in documents:
        for statement in statements(document):
            if not applies(statement):
                continue
            if statement.get("Effect") == "Deny":
                return False
            if statement.get("Effect") == "Allow":
                allowed = True
    return allowed


def is_allowed(document: Any, principal: Principal, request: Request) -> bool:
    """Whether ``document`` (a parsed resource-based policy) allows ``principal`` to do ``request``."""
    return _evaluate([document], lambda statement: (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and principal_admits(statement.get("Principal"), principal)
        and _conditions_met(statement, request)
    ))


def identity_allows(documents: Sequence[Any], request: Request) -> bool:
    """Whether the identity-based policies ``documents`` (parsed) of one IAM user or role allow ``request``."""
    return _evaluate(documents, lambda statement: (
        "Principal" not in statement
        and "NotPrincipal" not in statement
        and _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and _conditions_met(statement, request)
    ))


def trust_allows(document: Any, principal: Principal, request: Request) -> bool:
    """Whether a role trust policy (parsed) lets ``principal`` do ``request`` (sts:AssumeRole): no Resource element."""
    return _evaluate([document], lambda statement: (
        _action_matches(statement, request.action)
        and principal_admits(statement.get("Principal"), principal)
        and _conditions_met(statement, request)
    ))
