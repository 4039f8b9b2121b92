"""Input validation of Comprehend and KMS JSON requests against botocore's service models, as AWS does server-side.

Every request body is checked against its operation's input shape before the handler runs: required members
("Member must not be null"), string length, enum values, list and map length, integer ranges and ``pattern``. AWS
answers a breach with one ValidationException listing every error ("N validation error(s) detected: Value 'x' at
'param' failed to satisfy constraint: ..."; the wording of the AWS Query/JSON APIs' "Common Errors" ValidationException,
"The input fails to satisfy the constraints specified by an AWS service"). Parameters are named as AWS names them:
lower camel case, list members as ``name.N.member`` (1-based), nested members dotted.

Patterns come from the Smithy/botocore models, where a ``pattern`` is not implicitly anchored (Smithy specification,
"pattern trait": "the regular expression ... is not implicitly anchored") and uses Java's syntax: ``\\p{ASCII}``,
``\\p{L}``, ``\\p{Z}``, ``\\p{N}`` and ``\\P{C}`` are translated for Python's ``re`` from the Unicode categories.

INVENTED (AWS doesn't document them): a member of the wrong JSON type (a number for a string...) is a
ValidationException "Member must be of type ..."; a body that isn't a JSON object is a SerializationException.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from typing import Any, Dict, List, Tuple

import botocore.session
from botocore.model import OperationNotFoundError, Shape

from ._errors import AwsJsonError, shown_value, validation_errors

_JAVA_CLASS = re.compile(r"\\([pP])\{(\w+)\}")
_Error = Tuple[str, str, str]


@functools.lru_cache(maxsize=None)
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


@functools.lru_cache(maxsize=None)
def _unicode_runs() -> Dict[str, List[Tuple[int, int]]]:
    """Runs of code points by major Unicode category (L, Z, N, C...), in one pass over all code points."""
    runs: Dict[str, List[Tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\x00")[0]
    for code in range(1, sys.maxunicode + 2):
        category = unicodedata.category(chr(code))[0] if code <= sys.maxunicode else ""
        if category != current:
            runs.setdefault(current, []).append((start, code - 1))
            start, current = code, category
    return runs


def _ranges(runs: List[Tuple[int, int]]) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in runs)


def _category_ranges(category: str) -> str:
    """The code points of a Java Unicode class (ASCII, or a major category: L, Z, N, C) as character class ranges."""
    if category == "ASCII":
        return "\\x00-\\x7f"
    return _ranges(_unicode_runs()[category])


def _complement(category: str) -> str:
    """Ranges for the code points outside a major category, for ``\\P{...}`` inside a class."""
    return _ranges([run for other, runs in _unicode_runs().items() if other != category for run in runs])


@functools.lru_cache(maxsize=None)
def python_pattern(java: str) -> "re.Pattern[str]":
    """Compile a Smithy (Java) pattern for Python: Unicode classes translated, used unanchored with ``search``."""
    out: List[str] = []
    in_class = False
    index = 0
    while index < len(java):
        match = _JAVA_CLASS.match(java, index)
        if match:
            negated, category = match[1] == "P", match[2]
            if in_class:
                # Inside [...] only \p can be inlined; \P inside a class (not in AWS's models) takes the complement.
                out.append(_complement(category) if negated else _category_ranges(category))
            else:
                out.append(f"[{'^' if negated else ''}{_category_ranges(category)}]")
            index = match.end()
            continue
        char = java[index]
        if char == "\\":
            out.append(java[index:index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out and out[-1] != "[":
            in_class = False
        out.append(char)
        index += 1
    return re.compile("".join(out), re.DOTALL)


def _param_name(name: str) -> str:
    return name[:1].lower() + name[1:]


_TYPES: Dict[str, Tuple[type, ...]] = {
    "string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "float": (int, float), "double": (int, float), "timestamp": (int, float, str),
    "structure": (dict,), "map": (dict,), "list": (list,),
}


def _check(shape: Shape, value: Any, path: str, errors: List[_Error]) -> None:
    kind = shape.type_name
    expected = _TYPES.get(kind, (object,))
    if not isinstance(value, expected) or (kind in ("integer", "long", "float", "double") and isinstance(value, bool)):
        errors.append((path, f"Member must be of type {kind}", shown_value(value)))
        return
    metadata = shape.metadata
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append((f"{path}.{_param_name(name)}" if path else _param_name(name), "Member must not be null", shown_value(None)))
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], f"{path}.{_param_name(name)}" if path else _param_name(name), errors)
        return
    if kind in ("string", "list", "map", "blob"):
        size = len(value)
        if "min" in metadata and size < metadata["min"]:
            errors.append((path, f"Member must have length greater than or equal to {metadata['min']}", shown_value(value)))
        if "max" in metadata and size > metadata["max"]:
            errors.append((path, f"Member must have length less than or equal to {metadata['max']}", shown_value(value)))
    if kind in ("integer", "long", "float", "double"):
        if "min" in metadata and value < metadata["min"]:
            errors.append((path, f"Member must have value greater than or equal to {metadata['min']}", shown_value(value)))
        if "max" in metadata and value > metadata["max"]:
            errors.append((path, f"Member must have value less than or equal to {metadata['max']}", shown_value(value)))
    if kind == "string":
        if shape.enum and value not in shape.enum:
            errors.append((path, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]", shown_value(value)))
        elif "pattern" in metadata and not python_pattern(metadata["pattern"]).search(value):
            errors.append((path, f"Member must satisfy regular expression pattern: {metadata['pattern']}", shown_value(value)))
    if kind == "list":
        for position, item in enumerate(value, 1):
            if item is None:
                errors.append((f"{path}.{position}.member", "Member must not be null", shown_value(None)))
            else:
                _check(shape.member, item, f"{path}.{position}.member", errors)
    if kind == "map":
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", errors)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.value", errors)


def validate(service: str, operation: str, body: Any) -> None:
    """Raise AWS's error when ``body`` (the raw JSON text) breaks the input shape of ``service``'s ``operation``."""
    try:
        shape = _service_model(service).operation_model(operation).input_shape
    except OperationNotFoundError:
        return  # not an AWS operation: moto answers
    if shape is None:
        return
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "{}")
    try:
        params = json.loads(text or "{}")
    except ValueError:
        params = None
    if not isinstance(params, dict):
        raise AwsJsonError("SerializationException", "The request body is not a JSON object.")
    errors: List[_Error] = []
    _check(shape, params, "", errors)
    if errors:
        raise validation_errors(errors)


class ValidatedJson:
    """Mixin for the emulator's JSON-protocol response classes: validate each request once it is authenticated.

    moto renders an error raised from ``_authenticate_and_authorize_normal_action`` as the response, before the handler.
    Subclasses may add checks of their own in ``_check_input``.
    """

    def _authenticate_and_authorize_normal_action(self, resource: str = "*") -> None:
        super()._authenticate_and_authorize_normal_action(resource)  # type: ignore[misc]
        validate(self.service_name, self._get_action(), self.body)  # type: ignore[attr-defined]
        self._check_input()

    def _check_input(self) -> None:
        """Checks beyond the input shape (none by default)."""
