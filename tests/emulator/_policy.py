"""A small evaluator for the IAM policy language, as far as the emulator needs it.

It answers "does this policy document allow principal P to perform action A on resource R in request context C?"
for the resource policies of Comprehend models and for KMS key policies:

* ``Effect`` Allow / Deny: an applicable Deny wins over any Allow; with no applicable Allow the answer is no.
* ``Action`` and ``Resource``: a string or a list, with ``*`` and ``?`` wildcards (actions compare case-insensitively).
  A statement without one of them has no effect, as AWS documents for key policies.
* ``Principal``: ``"*"``, or ``{"AWS": ...}`` holding ``"*"``, 12-digit account IDs or ``arn:PARTITION:iam::ID:root``
  (any identity of that account), IAM user and role ARNs, STS assumed-role session ARNs. A role ARN also admits the
  sessions of that role. Service principals never admit an IAM identity.
* ``Condition``: the String* and Arn* operators and their ``...IfExists`` forms, single values or lists (any of them
  matches). Condition keys compare case-insensitively, as in IAM. An operator this module doesn't know makes the
  statement not apply (fail closed), so a policy the emulator can't read never grants more than AWS would.

Not supported, the statement is ignored: NotAction, NotPrincipal, NotResource, ForAnyValue: / ForAllValues:.
This module imports nothing from moto, so it can be tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROOT_ARN = re.compile(r"^arn:[\w-]+:iam::(?P<account>\d{12}):root$")

# The characters AWS accepts in policy documents (Comprehend model policies and KMS key policies alike).
POLICY_CHARACTERS = re.compile(r"[\t\n\r\x20-\xff]+")


@dataclass(frozen=True)
class Principal:
    """An authenticated identity: its account, its ARN and, for an assumed-role session, the ARN of the role."""

    account: str
    arn: str
    role_arn: Optional[str] = None


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


def _applies(statement: Dict[str, Any], principal: Principal, request: Request) -> bool:
    if not any(glob_match(pattern, request.action, ignore_case=True) for pattern in as_list(statement.get("Action")) if isinstance(pattern, str)):
        return False
    if "Resource" not in statement:
        return False
    if request.resource is not None:
        if not any(glob_match(pattern, request.resource) for pattern in as_list(statement["Resource"]) if isinstance(pattern, str)):
            return False
    if not principal_admits(statement.get("Principal"), principal):
        return False
    return request.context is None or conditions_hold(statement.get("Condition"), request.context)


def is_allowed(document: Any, principal: Principal, request: Request) -> bool:
    """Whether ``document`` (a parsed policy) allows ``principal`` to do ``request``."""
    allowed = False
    for statement in statements(document):
        if not _applies(statement, principal, request):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
