"""Comprehend custom models as sharing them needs, on top of moto's Comprehend backend and handlers.

What differs from moto 5.2.5:

* Document classifiers and entity recognizers get AWS's ARNs, ``.../NAME/version/VERSION`` or ``.../NAME`` without a
  VersionName, and Describe* returns VersionName, ModelKmsKeyId, VolumeKmsKeyId, DataAccessRoleArn, SourceModelArn...
  (absent fields are left out, never null). Names and version names are checked against AWS's pattern
  (ValidationException); an existing name/version gives ResourceInUseException; a ModelKmsKeyId that names no key
  gives KmsKeyValidationException; a ModelPolicy becomes the model's resource policy.
* Training is simulated: a new model is SUBMITTED, and each Describe* call returns the current status, then moves it
  one step: SUBMITTED -> TRAINING -> TRAINED (STOP_REQUESTED -> STOPPED after StopTraining*). The control API pins a
  status (see :func:`set_model_status`), which stops the simulation until a StopTraining* call.
* List* honours every filter (name, Status, SubmitTimeBefore/After) and paginates like AWS (see :func:`_paginate`):
  MaxResults 1..500, 100 by default, and an opaque NextToken while more models follow.
  Delete* of an unknown model gives ResourceNotFoundException, and deleting a model drops its resource policy.
* Resource policies belong to an existing model of the caller's account and region (else ResourceNotFoundException;
  an ARN that isn't a model version ARN at all gives ValidationException, like AWS's parameter pattern check). Policy
  text: 1..20,000 characters of [\\t\\n\\r\\x20-\\xFF] (ValidationException), valid JSON object (InvalidRequestException),
  stored as given. PolicyRevisionId is 32 lowercase hex characters, new on every write. A Put or Delete passing a
  PolicyRevisionId other than the current one, or a Put passing one when the model has no policy, is rejected with
  InvalidRequestException (AWS's exact error is unverified); a Put without one overwrites.
  DescribeResourcePolicy on a model without a policy raises ResourceNotFoundException, like moto; real AWS seems to
  answer with empty fields (unverified): the option ``missing_resource_policy = "empty"`` (control API) switches to that.
* ImportModel, which moto lacks, including cross-account authorization (see :mod:`emulator._sharing`).
* Tags of models (TagResource, UntagResource, ListTagsForResource): moto tags any ARN, even of no resource; here a
  model ARN must name a model of the caller's account and region (ResourceNotFoundException), and a model holds at
  most 50 tags (TooManyTagsException; TooManyTagKeysException for more than 50 keys in one UntagResource).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

import moto.comprehend.urls as comprehend_urls
from moto.comprehend.exceptions import ResourceNotFound
from moto.comprehend.models import ComprehendBackend, comprehend_backends
from moto.comprehend.responses import ComprehendResponse

from ._auth import JsonAuthorization, check_pass_role
from ._errors import AwsJsonError, validation_error
from ._identity import caller_of
from ._kms import resolve_key
from ._options import OPTIONS
from ._policy import POLICY_CHARACTERS, Principal
from ._sharing import ImportRequest, authorize_import, check_import_encryption
from ._validation import ValidatedJson

# moto serves requests on threads; Comprehend checks a policy's revision and stores the new one in one atomic
# step, so the emulator must too, or two conditional writers with the same revision could both succeed.
_POLICY_WRITE_LOCK = threading.Lock()

STATUSES = ("SUBMITTED", "TRAINING", "DELETING", "STOP_REQUESTED", "STOPPED", "IN_ERROR", "TRAINED", "TRAINED_WITH_WARNING")
TRAINED_STATUSES = ("TRAINED", "TRAINED_WITH_WARNING")
_NEXT_STATUS = {"SUBMITTED": "TRAINING", "TRAINING": "TRAINED", "STOP_REQUESTED": "STOPPED"}
_FINAL_STATUSES = ("TRAINED", "TRAINED_WITH_WARNING", "IN_ERROR", "STOPPED")

RESOURCE_POLICY_MAX_CHARS = 20000
# Comprehend API reference, TagResource ("a maximum of 50 tags (both existing and pending)"), TooManyTagsException and
# TooManyTagKeysException ("50 tag keys per resource"), as botocore's service model for comprehend 2017-11-27 has them.
MAX_TAGS = 50
_NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"
NAME = re.compile(f"^{_NAME_PATTERN}$")
MODEL_ARN = re.compile(
    r"^arn:(?P<partition>aws(-[^:]+)?):comprehend:(?P<region>[a-zA-Z0-9-]*):(?P<account>[0-9]{12}):"
    rf"(?P<type>document-classifier|entity-recognizer)/(?P<name>{_NAME_PATTERN})(/version/(?P<version>{_NAME_PATTERN}))?$"
)
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")  # how AWS names its Regions: us-west-2, us-gov-east-1
_MODEL_ARN_CONSTRAINT = f"Member must satisfy regular expression pattern: {MODEL_ARN.pattern}"
# ListDocumentClassifiers / ListEntityRecognizers, botocore's service model for comprehend 2017-11-27: MaxResults
# (MaxResultsInteger, 1..500, checked in emulator._validation) "The maximum number of results to return in each page.
# The default is 100."; NextToken a String of at least 1 character, in the request and the response.
_DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class ModelKind:
    """What differs between document classifiers and entity recognizers in the API."""

    resource_type: str
    name_parameter: str  # in Create* requests and in List* filters
    arn_key: str
    properties_key: str
    echoed: Tuple[str, ...]  # request parameters Describe* returns as they were given
    defaults: Tuple[Tuple[str, Any], ...] = ()

    @property
    def list_key(self) -> str:
        return f"{self.properties_key}List"

    def arn(self, partition: str, region: str, account_id: str, name: str, version: Optional[str]) -> str:
        arn = f"arn:{partition}:comprehend:{region}:{account_id}:{self.resource_type}/{name}"
        return f"{arn}/version/{version}" if version else arn


CLASSIFIER = ModelKind(
    "document-classifier", "DocumentClassifierName", "DocumentClassifierArn", "DocumentClassifierProperties",
    ("LanguageCode", "InputDataConfig", "OutputDataConfig", "DataAccessRoleArn", "VolumeKmsKeyId", "VpcConfig", "Mode", "ModelKmsKeyId", "VersionName"),
    (("Mode", "MULTI_CLASS"),),
)
RECOGNIZER = ModelKind(
    "entity-recognizer", "RecognizerName", "EntityRecognizerArn", "EntityRecognizerProperties",
    ("LanguageCode", "InputDataConfig", "DataAccessRoleArn", "VolumeKmsKeyId", "VpcConfig", "ModelKmsKeyId", "VersionName"),
)
KINDS = {kind.resource_type: kind for kind in (CLASSIFIER, RECOGNIZER)}
# What an imported model inherits from its source.
_INHERITED = ("LanguageCode", "InputDataConfig", "OutputDataConfig", "Mode")


@dataclass(frozen=True)
class ModelRef:
    """The parts of a model ARN."""

    partition: str
    region: str
    account: str
    kind: ModelKind
    name: str
    version: Optional[str]

    @classmethod
    def parse(cls, arn: Any, parameter: str) -> "ModelRef":
        match = MODEL_ARN.match(arn) if isinstance(arn, str) else None
        if match is None:
            raise validation_error(parameter, _MODEL_ARN_CONSTRAINT, str(arn))
        check_region(match["region"], arn, parameter)
        return cls(match["partition"], match["region"], match["account"], KINDS[match["type"]], match["name"], match["version"])


def check_region(region: str, arn: str, parameter: str) -> None:
    """INVENTED: botocore's ARN patterns admit an empty or upper-case region, but no AWS Region is named like that."""
    if not REGION.match(region):
        raise validation_error(parameter, f"Member must name a Region matching {REGION.pattern}", arn)


def _invalid_request(message: str) -> AwsJsonError:
    return AwsJsonError("InvalidRequestException", message)


def _check_name(parameter: str, value: Any) -> None:
    if not isinstance(value, str) or len(value) > 63 or not NAME.match(value):
        constraint = f"Member must have length less than or equal to 63 and satisfy regular expression pattern: {NAME.pattern}"
        raise validation_error(parameter, constraint, str(value))


def check_policy_text(text: Any, parameter: str) -> None:
    """AWS's constraints on a model policy: ValidationException for length and characters, InvalidRequest for JSON."""
    if not isinstance(text, str) or not 1 <= len(text) <= RESOURCE_POLICY_MAX_CHARS:
        raise validation_error(parameter, f"Member must have length between 1 and {RESOURCE_POLICY_MAX_CHARS}")
    if not POLICY_CHARACTERS.fullmatch(text):
        raise validation_error(parameter, f"Member must satisfy regular expression pattern: {POLICY_CHARACTERS.pattern}")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise _invalid_request(f"The resource policy is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise _invalid_request("The resource policy must be a JSON object.")


class CustomModel:
    """A document classifier or entity recognizer version, with simulated training."""

    def __init__(self, kind: ModelKind, arn: str, name: str, settings: Dict[str, Any], source_model_arn: Optional[str] = None) -> None:
        self.kind = kind
        self.arn = arn
        self.name = name
        self.settings = settings  # the Describe* fields given at creation (see ModelKind.echoed)
        self.source_model_arn = source_model_arn
        self.status = "SUBMITTED"
        self.message: Optional[str] = None
        self.auto_progress = True
        self.submit_time = time.time()
        self.end_time: Optional[float] = None

    @property
    def model_kms_key_id(self) -> Optional[str]:
        return self.settings.get("ModelKmsKeyId")

    def properties(self) -> Dict[str, Any]:
        """The DocumentClassifierProperties / EntityRecognizerProperties of the model, without empty fields."""
        properties = {
            self.kind.arn_key: self.arn,
            "Status": self.status,
            "Message": self.message,
            "SubmitTime": self.submit_time,
            "EndTime": self.end_time,
            "SourceModelArn": self.source_model_arn,
            **self.settings,
        }
        return {key: value for key, value in properties.items() if value is not None}

    def advance(self) -> None:
        """One step of simulated training, taken after each Describe* call."""
        if self.auto_progress and self.status in _NEXT_STATUS:
            self._set_status(_NEXT_STATUS[self.status])

    def pin(self, status: str, message: Optional[str] = None) -> None:
        """Set the status for good (the control API): the simulation leaves it alone from now on."""
        self.auto_progress = False
        self._set_status(status, message)

    def stop_training(self) -> None:
        """StopTraining*: a model still in training heads for STOPPED, through STOP_REQUESTED."""
        if self.status in ("SUBMITTED", "TRAINING"):
            self.auto_progress = True
            self._set_status("STOP_REQUESTED")

    def _set_status(self, status: str, message: Optional[str] = None) -> None:
        self.status = status
        self.message = message
        self.end_time = (self.end_time or time.time()) if status in _FINAL_STATUSES else None


@dataclass
class ResourcePolicy:
    """A model's resource-based policy."""

    text: str
    revision: str
    created: float
    modified: float

    @classmethod
    def create(cls, text: str, created: Optional[float] = None) -> "ResourcePolicy":
        now = time.time()
        return cls(text, uuid.uuid4().hex, created or now, now)

    def describe(self) -> Dict[str, Any]:
        return {"ResourcePolicy": self.text, "PolicyRevisionId": self.revision, "CreationTime": self.created, "LastModifiedTime": self.modified}


def _check_revision(arn: str, revision: Optional[str], current: Optional[ResourcePolicy]) -> None:
    """Optimistic locking: a PolicyRevisionId, when given, must be the current one."""
    if revision is not None and (current is None or revision != current.revision):
        # INVENTED: the API declares only InvalidRequest/ResourceNotFound/InternalServer; the option picks the wording.
        if OPTIONS.stale_revision_message == "generic":
            raise _invalid_request("The request is invalid.")
        raise _invalid_request(
            f"The policy revision {revision} is stale: it isn't the current revision of the resource policy of {arn}. Describe the policy and retry."
        )


class EmulatorComprehendBackend(ComprehendBackend):
    """moto's Comprehend backend whose classifiers and recognizers are :class:`CustomModel` objects."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.policies: Dict[str, ResourcePolicy] = {}

    @property
    def _url_module(self) -> Any:
        # moto derives the URL module from the class's module name, which is ours now.
        return comprehend_urls

    def _models(self, kind: ModelKind) -> Dict[str, Any]:
        return self.classifiers if kind is CLASSIFIER else self.recognizers

    def get_model(self, kind: ModelKind, arn: Any) -> CustomModel:
        model = self._models(kind).get(arn) if isinstance(arn, str) else None
        if model is None:
            raise ResourceNotFound()
        return model

    def _add_model(self, model: CustomModel, tags: Optional[List[Dict[str, str]]]) -> str:
        if model.arn in self._models(model.kind):
            raise AwsJsonError("ResourceInUseException", f"The resource {model.arn} already exists.")
        self._models(model.kind)[model.arn] = model
        if tags:
            self.tagger.tag_resource(model.arn, tags)
        return model.arn

    def create_model(self, kind: ModelKind, params: Dict[str, Any]) -> str:
        name, version = params.get(kind.name_parameter), params.get("VersionName")
        _check_name(kind.name_parameter, name)
        if version is not None:
            _check_name("VersionName", version)
        model_policy = params.get("ModelPolicy")
        if model_policy is not None:
            check_policy_text(model_policy, "modelPolicy")
        key_id = params.get("ModelKmsKeyId")
        if key_id and resolve_key(key_id, self.account_id, self.region_name) is None:
            raise AwsJsonError("KmsKeyValidationException", f"The KMS key {key_id} can't be found. Verify the key and re-enter your request.")
        settings = dict(kind.defaults)
        settings.update((field, params[field]) for field in kind.echoed if field in params)
        model = CustomModel(kind, kind.arn(self.partition, self.region_name, self.account_id, name, version), name, settings)
        arn = self._add_model(model, params.get("Tags"))
        if model_policy is not None:
            self.policies[arn] = ResourcePolicy.create(model_policy)
        return arn

    def describe_model(self, kind: ModelKind, arn: Any) -> Dict[str, Any]:
        model = self.get_model(kind, arn)
        properties = model.properties()
        model.advance()
        return properties

    def list_models(self, kind: ModelKind, filters: Mapping[str, Any]) -> List[Dict[str, Any]]:
        def selected(model: CustomModel) -> bool:
            return (
                filters.get(kind.name_parameter) in (None, model.name)
                and filters.get("Status") in (None, model.status)
                and ("SubmitTimeBefore" not in filters or model.submit_time < float(filters["SubmitTimeBefore"]))
                and ("SubmitTimeAfter" not in filters or model.submit_time > float(filters["SubmitTimeAfter"]))
            )

        return [model.properties() for model in self._models(kind).values() if selected(model)]

    def stop_model_training(self, kind: ModelKind, arn: Any) -> None:
        self.get_model(kind, arn).stop_training()

    def delete_model(self, kind: ModelKind, arn: Any) -> None:
        model = self.get_model(kind, arn)
        del self._models(kind)[model.arn]
        self.policies.pop(model.arn, None)
        self.tagger.delete_all_tags_for_resource(model.arn)

    # Resource policies

    def _policy_model(self, arn: Any) -> CustomModel:
        ref = ModelRef.parse(arn, "resourceArn")
        return self.get_model(ref.kind, arn)

    def put_policy(self, arn: Any, text: Any, revision: Optional[str]) -> str:
        model = self._policy_model(arn)
        check_policy_text(text, "resourcePolicy")
        with _POLICY_WRITE_LOCK:
            current = self.policies.get(model.arn)
            _check_revision(model.arn, revision, current)
            policy = ResourcePolicy.create(text, current.created if current else None)
            self.policies[model.arn] = policy
        return policy.revision

    def describe_policy(self, arn: Any) -> Dict[str, Any]:
        model = self._policy_model(arn)
        policy = self.policies.get(model.arn)
        if policy is not None:
            return policy.describe()
        if OPTIONS.missing_resource_policy == "empty":
            return {}
        raise ResourceNotFound()

    def delete_policy(self, arn: Any, revision: Optional[str]) -> None:
        model = self._policy_model(arn)
        with _POLICY_WRITE_LOCK:
            current = self.policies.get(model.arn)
            if current is None:
                raise ResourceNotFound()
            _check_revision(model.arn, revision, current)
            del self.policies[model.arn]

    # Tags of models

    def tagged_model(self, arn: Any) -> Optional[CustomModel]:
        """The model a tag request names; None for another Comprehend resource, left to moto.

        The Comprehend API reference lists ResourceNotFoundException ("The specified resource ARN was not found") for
        all three tag operations: moto's tagger would tag any ARN."""
        match = MODEL_ARN.match(arn) if isinstance(arn, str) else None
        return self.get_model(KINDS[match["type"]], arn) if match else None

    def check_tag_count(self, arn: str, tags: List[Dict[str, str]]) -> None:
        """TagResource: "There can be a maximum of 50 tags (both existing and pending) associated with a specific
        resource" (TooManyTagsException)."""
        keys = set(self.tagger.get_tag_dict_for_resource(arn)) | {tag.get("Key") for tag in tags}
        if len(keys) > MAX_TAGS:
            raise AwsJsonError("TooManyTagsException", f"The request would associate {len(keys)} tags with {arn}; at most {MAX_TAGS} are allowed.")

    # ImportModel

    def import_model(self, caller: Principal, params: Mapping[str, Any]) -> str:
        """Copy a model, possibly from another account of the same region, into this backend's account."""
        source_arn = params.get("SourceModelArn")
        ref = ModelRef.parse(source_arn, "sourceModelArn")
        if ref.region != self.region_name:
            raise _invalid_request(f"The source model {source_arn} must be in the same Region as the request ({self.region_name}).")
        source_backend: EmulatorComprehendBackend = comprehend_backends[ref.account][ref.region]  # type: ignore[assignment]
        source = source_backend.get_model(ref.kind, source_arn)
        if ref.account != caller.account:
            policy = source_backend.policies.get(source.arn)
            authorize_import(policy.text if policy else None, source.arn, caller)
        if source.status not in TRAINED_STATUSES:
            raise AwsJsonError("ResourceUnavailableException", f"The source model {source.arn} is {source.status}, not trained: it can't be imported.")

        name, version = params.get("ModelName") or source.name, params.get("VersionName")
        _check_name("ModelName", name)
        if version is not None:
            _check_name("VersionName", version)
        elif OPTIONS.unversioned_copy_arn == "generated_version":
            # INVENTED: AWS doesn't document the ARN of a copy imported without VersionName; this reading names one.
            version = time.strftime("v%Y%m%d%H%M%S", time.gmtime()) + f"-{uuid.uuid4().hex[:6]}"
        arn = ref.kind.arn(self.partition, self.region_name, self.account_id, name, version)
        if arn in self._models(ref.kind):
            raise AwsJsonError("ResourceInUseException", f"The resource {arn} already exists.")
        check_import_encryption(ImportRequest(
            caller, self.region_name, source.arn, ref.account, arn, source.model_kms_key_id, params.get("ModelKmsKeyId"), params.get("DataAccessRoleArn"),
        ))

        settings = {field: source.settings[field] for field in _INHERITED if field in source.settings}
        settings.update((field, params[field]) for field in ("ModelKmsKeyId", "DataAccessRoleArn") if params.get(field))
        if version is not None:
            settings["VersionName"] = version
        return self._add_model(CustomModel(ref.kind, arn, name, settings, source_model_arn=source.arn), params.get("Tags"))


def _backend_for(arn: str) -> Tuple[EmulatorComprehendBackend, ModelRef]:
    ref = ModelRef.parse(arn, "arn")
    return comprehend_backends[ref.account][ref.region], ref  # type: ignore[return-value]


def set_model_status(arn: str, status: str, message: Optional[str] = None) -> Dict[str, Any]:
    """Pin the status of the model ``arn`` names, in whatever account and region; return its properties.

    ValueError for a bad ARN or status, LookupError when there is no such model.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    try:
        backend, ref = _backend_for(arn)
    except AwsJsonError as error:
        raise ValueError(error.message) from None
    try:
        model = backend.get_model(ref.kind, arn)
    except ResourceNotFound:
        raise LookupError(f"no model {arn}") from None
    model.pin(status, message)
    return model.properties()


def _page_token(kind: ModelKind, last: Dict[str, Any]) -> str:
    """INVENTED: AWS documents NextToken only as an opaque string. The emulator's token names the last model returned
    (its submit time and ARN), so that a model created or deleted between two pages neither repeats nor hides others."""
    text = json.dumps([kind.resource_type, last["SubmitTime"], last[kind.arn_key]])
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def _page_start(kind: ModelKind, token: Any) -> Tuple[float, str]:
    try:
        resource_type, submit_time, arn = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
        if resource_type == kind.resource_type and isinstance(arn, str):
            return float(submit_time), arn
    except (ValueError, TypeError, UnicodeError):
        pass
    # INVENTED: the API declares InvalidRequestException for List*; the message is ours.
    raise _invalid_request(f"The NextToken {token} is not valid for this operation.")


def _paginate(kind: ModelKind, items: List[Dict[str, Any]], params: Mapping[str, Any]) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """One page of a List* answer, as botocore's paginators-1.json for comprehend describes them: input and output
    token NextToken, limit key MaxResults, result key DocumentClassifierPropertiesList / EntityRecognizerPropertiesList.
    Models are listed oldest first (INVENTED: AWS documents no order); the last page has no NextToken."""
    ordered = sorted(items, key=lambda item: (item["SubmitTime"], item[kind.arn_key]))
    if params.get("NextToken") is not None:
        start = _page_start(kind, params["NextToken"])
        ordered = [item for item in ordered if (item["SubmitTime"], item[kind.arn_key]) > start]
    size = params.get("MaxResults") or _DEFAULT_PAGE_SIZE
    page = ordered[:size]
    return page, (_page_token(kind, page[-1]) if len(ordered) > size else None)


class EmulatorComprehendResponse(ValidatedJson, JsonAuthorization, ComprehendResponse):
    """moto's Comprehend handlers with the model, resource policy and ImportModel operations replaced."""

    # The parameters naming the model a request acts on, for IAM enforcement (see emulator._auth).
    _RESOURCE_PARAMETERS = ("DocumentClassifierArn", "EntityRecognizerArn", "ResourceArn", "SourceModelArn")

    @property
    def backend(self) -> EmulatorComprehendBackend:
        return comprehend_backends[self.current_account][self.region]  # type: ignore[return-value]

    def _params(self) -> Dict[str, Any]:
        return json.loads(self.body or "{}")

    def _resource_arn(self) -> Optional[str]:
        try:
            params = self._params()
        except ValueError:
            return None
        return next((params[name] for name in self._RESOURCE_PARAMETERS if isinstance(params.get(name), str)), None)

    def _check_input(self) -> None:
        """Model ARNs naming an impossible region, in every parameter naming a model (see :func:`check_region`)."""
        params = self._params()
        for name in self._RESOURCE_PARAMETERS:
            match = MODEL_ARN.match(params[name]) if isinstance(params.get(name), str) else None
            if match:
                check_region(match["region"], params[name], name[:1].lower() + name[1:])

    def _create(self, kind: ModelKind) -> str:
        return json.dumps({kind.arn_key: self.backend.create_model(kind, self._params())})

    def _describe(self, kind: ModelKind) -> str:
        return json.dumps({kind.properties_key: self.backend.describe_model(kind, self._params().get(kind.arn_key))})

    def _list(self, kind: ModelKind) -> str:
        params = self._params()
        page, token = _paginate(kind, self.backend.list_models(kind, params.get("Filter") or {}), params)
        return json.dumps({kind.list_key: page, **({"NextToken": token} if token else {})})

    def _stop_training(self, kind: ModelKind) -> str:
        self.backend.stop_model_training(kind, self._params().get(kind.arn_key))
        return "{}"

    def _delete(self, kind: ModelKind) -> str:
        self.backend.delete_model(kind, self._params().get(kind.arn_key))
        return "{}"

    def create_document_classifier(self) -> str:
        return self._create(CLASSIFIER)

    def create_entity_recognizer(self) -> str:
        return self._create(RECOGNIZER)

    def describe_document_classifier(self) -> str:
        return self._describe(CLASSIFIER)

    def describe_entity_recognizer(self) -> str:
        return self._describe(RECOGNIZER)

    def list_document_classifiers(self) -> str:
        return self._list(CLASSIFIER)

    def list_entity_recognizers(self) -> str:
        return self._list(RECOGNIZER)

    def stop_training_document_classifier(self) -> str:
        return self._stop_training(CLASSIFIER)

    def stop_training_entity_recognizer(self) -> str:
        return self._stop_training(RECOGNIZER)

    def delete_document_classifier(self) -> str:
        return self._delete(CLASSIFIER)

    def delete_entity_recognizer(self) -> str:
        return self._delete(RECOGNIZER)

    def put_resource_policy(self) -> str:
        params = self._params()
        revision = self.backend.put_policy(params.get("ResourceArn"), params.get("ResourcePolicy"), params.get("PolicyRevisionId"))
        return json.dumps({"PolicyRevisionId": revision})

    def describe_resource_policy(self) -> str:
        return json.dumps(self.backend.describe_policy(self._params().get("ResourceArn")))

    def delete_resource_policy(self) -> str:
        params = self._params()
        self.backend.delete_policy(params.get("ResourceArn"), params.get("PolicyRevisionId"))
        return "{}"

    def tag_resource(self) -> str:
        params = self._params()
        model = self.backend.tagged_model(params.get("ResourceArn"))
        if model is not None:
            self.backend.check_tag_count(model.arn, params.get("Tags") or [])
        return super().tag_resource()

    def untag_resource(self) -> str:
        params = self._params()
        self.backend.tagged_model(params.get("ResourceArn"))
        if len(params.get("TagKeys") or []) > MAX_TAGS:
            # TooManyTagKeysException: "more tag keys than can be associated with a resource (50 tag keys per resource)".
            raise AwsJsonError("TooManyTagKeysException", f"The request names {len(params['TagKeys'])} tag keys; at most {MAX_TAGS} are allowed.")
        return super().untag_resource()

    def list_tags_for_resource(self) -> str:
        self.backend.tagged_model(self._params().get("ResourceArn"))
        return super().list_tags_for_resource()

    def import_model(self) -> str:
        check_pass_role(self, self._params().get("DataAccessRoleArn"))
        return json.dumps({"ModelArn": self.backend.import_model(caller_of(self), self._params())})
