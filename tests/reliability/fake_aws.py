"""A recording fake of the AWS calls the collection makes, for running whole modules in-process thousands of times.

Every call is checked the way it would be checked for real: by botocore's own parameter validation (a
ParamValidationError, as a real client raises before sending anything) and then by the constraints AWS enforces
and botocore leaves out (length, pattern: a ClientError ValidationException). Every call is recorded, with
whether it is a write (Put/Delete/Create/Import/...), so a test can tell whether refused input led to a write
call. The answers are those of a small consistent world: the owner's models exist and are trained, keys are
customer managed and enabled (``alias/aws/...`` is AWS managed), the importer's account is 444455556666.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

import boto3
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator

from emulator.client import is_write_operation

OWNER = "111122223333"
IMPORTER = "444455556666"
REGION = "us-west-2"
DEFAULT_KEY_POLICY = {
    "Version": "2012-10-17", "Id": "key-default-1",
    "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                   "Action": "kms:*", "Resource": "*"}],
}
# Java regular expression classes of the service models that Python's re doesn't know.
_JAVA_CLASSES = {r"\p{ASCII}": r"\x00-\x7f", r"\p{Print}": r"\x20-\x7e"}
_MODELS: Dict[str, Any] = {}


def _service(service: str) -> Tuple[Any, Dict[str, str]]:
    """The botocore service model and method -> operation names of a service (clients made once, never used)."""
    if service not in _MODELS:
        client = boto3.session.Session().client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        _MODELS[service] = (client.meta.service_model, dict(client.meta.method_to_api_mapping))
    return _MODELS[service]


def _pattern(pattern: str) -> Optional[re.Pattern]:
    for java, python in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, f"[{python}]" if not pattern.startswith("[") else python)
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _constraint_errors(value: Any, shape: Any, path: str) -> List[str]:
    """What AWS would refuse that botocore doesn't check: string length and pattern, list length, recursively."""
    errors: List[str] = []
    if shape.type_name == "string" and isinstance(value, str):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {shape.metadata['max']}")
        pattern = _pattern(shape.metadata["pattern"]) if "pattern" in shape.metadata else None
        if pattern is not None and not pattern.fullmatch(value):
            errors.append(f"Value '{value[:40]}' at '{path}' failed to satisfy constraint: "
                          f"Member must satisfy regular expression pattern: {shape.metadata['pattern']}")
    elif shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                errors += _constraint_errors(value[name], member, f"{path}.{name[0].lower()}{name[1:]}" if path else f"{name[0].lower()}{name[1:]}")
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {shape.metadata['max']}")
        for index, item in enumerate(value):
            errors += _constraint_errors(item, shape.member, f"{path}.{index + 1}.member")
    return errors


def client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)


def key_arn_for(key_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{OWNER}:key/{hashlib.sha256(key_id.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}-1111-2222-3333-444455556666"


class FakeAws:
    """The state of one fake AWS and the log of the calls made to it."""

    def __init__(self, resource_policy: Optional[str] = None, caller_account: str = IMPORTER) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.caller_account = caller_account
        self.resource_policy = resource_policy  # the text every owner model starts with (None: no policy)
        self.policies: Dict[str, Tuple[str, str]] = {}
        self.key_policies: Dict[str, str] = {}
        self.copies: Dict[str, Dict[str, Any]] = {}
        self.revision = 0

    def client(self, service: str) -> "FakeClient":
        return FakeClient(self, service)

    @property
    def writes(self) -> List[Dict[str, Any]]:
        return [call for call in self.calls if call["write"]]

    # ------------------------------------------------------------------ comprehend

    def _model(self, arn: str, operation: str, key: str) -> Dict[str, Any]:
        if arn in self.copies:
            return {key: self.copies[arn]}
        name = arn.split("/")[1] if "/" in arn else ""
        if not arn.startswith(f"arn:aws:comprehend:{REGION}:{OWNER}:") or name.startswith("missing"):
            raise client_error("ResourceNotFoundException", f"Could not find model {arn}", operation)
        properties: Dict[str, Any] = {"Status": "TRAINED", "VersionName": arn.split("/version/")[1] if "/version/" in arn else None,
                                      "LanguageCode": "en"}
        properties["DocumentClassifierArn" if "document-classifier" in arn else "EntityRecognizerArn"] = arn
        if name.startswith("cmk"):
            properties["ModelKmsKeyId"] = "1234abcd-12ab-34cd-56ef-1234567890ab"
        elif name.startswith("managed"):
            properties["ModelKmsKeyId"] = "alias/aws/comprehend"
        elif name.startswith("training"):
            properties["Status"] = "TRAINING"
        return {key: {k: v for k, v in properties.items() if v is not None}}

    def describe_document_classifier(self, DocumentClassifierArn: str) -> Dict[str, Any]:
        return self._model(DocumentClassifierArn, "DescribeDocumentClassifier", "DocumentClassifierProperties")

    def describe_entity_recognizer(self, EntityRecognizerArn: str) -> Dict[str, Any]:
        return self._model(EntityRecognizerArn, "DescribeEntityRecognizer", "EntityRecognizerProperties")

    def _list(self, kind: str, name: Optional[str], key: str, arn_key: str) -> Dict[str, Any]:
        """The caller's models of that name: two trained versions in the owner's account, and the copies imported
        under that name (comprehend_import_model finds a copy made without a version name this way)."""
        if not name:
            return {key: []}
        owned = [f"arn:aws:comprehend:{REGION}:{OWNER}:{kind}/{name}/version/v{index}" for index in (1, 2)] \
            if self.caller_account == OWNER else []
        listed = [dict(self._model(arn, "List", "p")["p"], **{arn_key: arn}) for arn in owned]
        copy = re.compile(rf"arn:aws:comprehend:[^:]+:{self.caller_account}:{kind}/{re.escape(name)}(/version/.*)?")
        return {key: listed + [dict(properties) for arn, properties in self.copies.items() if copy.fullmatch(arn)]}

    def list_document_classifiers(self, Filter: Optional[Dict[str, Any]] = None, **_: Any) -> Dict[str, Any]:
        return self._list("document-classifier", (Filter or {}).get("DocumentClassifierName"), "DocumentClassifierPropertiesList",
                          "DocumentClassifierArn")

    def list_entity_recognizers(self, Filter: Optional[Dict[str, Any]] = None, **_: Any) -> Dict[str, Any]:
        return self._list("entity-recognizer", (Filter or {}).get("RecognizerName"), "EntityRecognizerPropertiesList",
                          "EntityRecognizerArn")

    def describe_resource_policy(self, ResourceArn: str) -> Dict[str, Any]:
        self._model(ResourceArn, "DescribeResourcePolicy", "p")
        if ResourceArn not in self.policies and self.resource_policy is not None:
            self.policies[ResourceArn] = (self.resource_policy, "0" * 32)
        if ResourceArn not in self.policies:
            raise client_error("ResourceNotFoundException", "No policy", "DescribeResourcePolicy")
        text, revision = self.policies[ResourceArn]
        return {"ResourcePolicy": text, "PolicyRevisionId": revision}

    def put_resource_policy(self, ResourceArn: str, ResourcePolicy: str, PolicyRevisionId: Optional[str] = None) -> Dict[str, Any]:
        self._model(ResourceArn, "PutResourcePolicy", "p")
        try:
            json.loads(ResourcePolicy)
        except ValueError:
            raise client_error("InvalidRequestException", "The policy is not valid JSON", "PutResourcePolicy") from None
        self.revision += 1
        self.policies[ResourceArn] = (ResourcePolicy, f"{self.revision:032x}")
        return {"PolicyRevisionId": f"{self.revision:032x}"}

    def delete_resource_policy(self, ResourceArn: str, PolicyRevisionId: Optional[str] = None) -> Dict[str, Any]:
        self.policies.pop(ResourceArn, None)
        return {}

    def import_model(self, SourceModelArn: str, ModelName: Optional[str] = None, VersionName: Optional[str] = None,
                     **_: Any) -> Dict[str, Any]:
        kind = "document-classifier" if ":document-classifier/" in SourceModelArn else "entity-recognizer"
        region = SourceModelArn.split(":")[3]
        name = ModelName or SourceModelArn.split("/")[1]
        arn = f"arn:aws:comprehend:{region}:{self.caller_account}:{kind}/{name}" + (f"/version/{VersionName}" if VersionName else "")
        self.copies[arn] = {"Status": "TRAINED", "SourceModelArn": SourceModelArn,
                            ("DocumentClassifierArn" if kind == "document-classifier" else "EntityRecognizerArn"): arn}
        return {"ModelArn": arn}

    # ------------------------------------------------------------------ kms and sts

    def describe_key(self, KeyId: str, **_: Any) -> Dict[str, Any]:
        if "missing" in KeyId or (KeyId.startswith("arn:") and f":{REGION}:{OWNER}:" not in KeyId):
            raise client_error("NotFoundException", f"Key '{KeyId}' does not exist", "DescribeKey")
        if KeyId.startswith("alias/aws/") or KeyId.startswith(f"arn:aws:kms:{REGION}:{OWNER}:alias/aws/"):
            return {"KeyMetadata": {"Arn": key_arn_for(KeyId), "KeyManager": "AWS", "KeyState": "Enabled"}}
        arn = KeyId if re.match(r"^arn:aws:kms:[^:]+:[0-9]{12}:key/", KeyId) else key_arn_for(KeyId)
        return {"KeyMetadata": {"Arn": arn, "KeyId": arn.split("/")[-1], "KeyManager": "CUSTOMER", "KeyState": "Enabled"}}

    def get_key_policy(self, KeyId: str, PolicyName: Optional[str] = None) -> Dict[str, Any]:
        return {"Policy": self.key_policies.get(KeyId, json.dumps(DEFAULT_KEY_POLICY)), "PolicyName": "default"}

    def put_key_policy(self, KeyId: str, Policy: str, PolicyName: Optional[str] = None, **_: Any) -> Dict[str, Any]:
        if len(Policy.encode("utf-8")) > 32768:
            raise client_error("LimitExceededException", "Policy is too large", "PutKeyPolicy")
        self.key_policies[KeyId] = Policy
        return {}

    def get_caller_identity(self) -> Dict[str, Any]:
        return {"Account": self.caller_account, "Arn": f"arn:aws:sts::{self.caller_account}:assumed-role/x/y", "UserId": "x"}

    def list_account_aliases(self, **_: Any) -> Dict[str, Any]:  # amazon.aws.aws_caller_info reads the alias
        return {"AccountAliases": [], "IsTruncated": False}


class FakeClient:
    """A client of one service of a FakeAws: validates, records, answers (``aws_retry`` is accepted and ignored)."""

    def __init__(self, world: FakeAws, service: str) -> None:
        self.world = world
        self.service = service
        self.model, self.operations = _service(service)

    def get_paginator(self, method: str) -> "FakePaginator":
        if method not in self.operations:
            raise AttributeError(method)
        return FakePaginator(getattr(self, method))

    def __getattr__(self, method: str) -> Any:
        if method not in self.operations:
            raise AttributeError(method)
        operation = self.operations[method]

        def call(aws_retry: bool = False, **params: Any) -> Any:  # pylint: disable=unused-argument
            write = is_write_operation(operation)
            self.world.calls.append({"service": self.service, "operation": operation, "write": write})
            shape = self.model.operation_model(operation).input_shape
            report = ParamValidator().validate(params, shape)
            if report.has_errors():
                self.world.calls[-1]["refused"] = "ParamValidationError"
                raise ParamValidationError(report=report.generate_report())
            errors = _constraint_errors(params, shape, "")
            if errors:
                self.world.calls[-1]["refused"] = "ValidationException"
                raise client_error("ValidationException", f"{len(errors)} validation error detected: {'; '.join(errors)}", operation)
            handler = getattr(self.world, method, None)
            if handler is None:
                raise AssertionError(f"the fake has no answer for {self.service}:{operation}")
            return handler(**params)

        return call


class FakePaginator:
    """botocore's paginate(...).build_full_result() over a FakeClient method: every page is a recorded call."""

    def __init__(self, call: Callable[..., Dict[str, Any]]) -> None:
        self.call = call
        self.params: Dict[str, Any] = {}

    def paginate(self, **params: Any) -> "FakePaginator":
        self.params = params
        return self

    def build_full_result(self) -> Dict[str, Any]:
        result: Dict[str, Any] = {}
        token = None
        while True:
            page = self.call(**self.params, **({"NextToken": token} if token else {}))
            for key, value in page.items():
                if isinstance(value, list):
                    result.setdefault(key, []).extend(value)
            token = page.get("NextToken")
            if not token:
                return result
