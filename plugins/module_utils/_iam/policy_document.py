# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure handling of IAM-style policy documents: load, normalise, compare, render (no boto3 here).

amazon.aws's compare_policies is not used on purpose: it returns True when policies *differ*, compares
strings literally and only normalises root ARNs in the ``aws`` partition. Here equality means "grants the
same thing", whatever normalisation AWS applied on the way back.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import read_principals

Policy = Dict[str, Any]
Statement = Dict[str, Any]

# IAM treats these element values as sets; one item may be a bare string.
_SET_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource")
_PRINCIPAL_ELEMENTS = ("Principal", "NotPrincipal")
# Without a Version element IAM applies the old language version.
DEFAULT_POLICY_VERSION = "2008-10-17"
CURRENT_POLICY_VERSION = "2012-10-17"


def as_list(value: Any) -> List[Any]:
    """A policy element that may be a scalar or a list, as a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def compact_list(values: List[Any]) -> Any:
    """Render a one-item list as a bare value, as AWS itself often does."""
    return values[0] if len(values) == 1 else values


def load_policy(value: Any, option: str = "policy") -> Policy:
    """Parse a policy given as a dict or JSON text and check its overall shape."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise InvalidInputError(f"{option} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{option} must be a JSON object (a policy document), got {type(value).__name__}")
    statements = value.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise InvalidInputError(f"{option} must have a non-empty Statement list")
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            raise InvalidInputError(f"{option}: Statement[{index}] must be an object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise InvalidInputError(f"{option}: Statement[{index}] needs Effect Allow or Deny")
    policy = dict(value)
    policy["Statement"] = statements
    return policy


def statements_of(policy: Optional[Policy]) -> List[Statement]:
    """The statement list of a loaded policy (empty for no policy)."""
    if not policy:
        return []
    return as_list(policy.get("Statement"))


def render_policy(policy: Policy) -> str:
    """Compact JSON text, keys and statements in their given order (foreign statements keep their place)."""
    return json.dumps(policy, separators=(",", ":"), ensure_ascii=False)


def _canonical_principal(value: Any, partition: str) -> Dict[str, List[str]]:
    principals = read_principals(value, partition)
    if principals is None:
        return {"?": sorted(str(item) for item in as_list(value))}
    result: Dict[str, List[str]] = {}
    for principal in sorted(principals):
        result.setdefault(principal.kind, []).append(principal.value)
    return result


def _canonical_condition(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    # Condition operators and keys are case-insensitive in IAM; values are compared as sets of strings.
    return {
        operator: {key.lower(): sorted({_scalar(item) for item in as_list(items)}) for key, items in keys.items()}
        if isinstance(keys, dict) else keys
        for operator, keys in value.items()
    }


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def canonical_statement(statement: Statement, partition: str) -> Statement:
    """A statement reduced to its meaning: sets sorted, account IDs as root ARNs, actions lower-cased."""
    result: Statement = {}
    for key, value in statement.items():
        if key in _SET_ELEMENTS:
            items = {str(item) for item in as_list(value)}
            if key.endswith("Action"):
                items = {item.lower() for item in items}
            result[key] = sorted(items)
        elif key in _PRINCIPAL_ELEMENTS:
            result[key] = _canonical_principal(value, partition)
        elif key == "Condition":
            result[key] = _canonical_condition(value)
        else:
            result[key] = value
    return result


def canonical_policy(policy: Optional[Policy], partition: str) -> Optional[Policy]:
    """A whole policy reduced to its meaning; statement order doesn't matter."""
    if policy is None:
        return None
    statements = [canonical_statement(statement, partition) for statement in statements_of(policy)]
    result = {key: value for key, value in policy.items() if key != "Statement"}
    result.setdefault("Version", DEFAULT_POLICY_VERSION)
    result["Statement"] = sorted(statements, key=lambda item: json.dumps(item, sort_keys=True))
    return result


def policies_equal(first: Optional[Policy], second: Optional[Policy], partition: str) -> bool:
    """True when both policies grant the same thing (None means no policy)."""
    return canonical_policy(first, partition) == canonical_policy(second, partition)


def statements_equal(first: Statement, second: Statement, partition: str) -> bool:
    return canonical_statement(first, partition) == canonical_statement(second, partition)
