# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comprehend calls the collection's features share: describe a model version or many, know a missing one, list the
versions of a model or every model."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import ACCESS_DENIED_CODES
from ansible_collections.seed.comprehend.plugins.module_utils.aws import aws_retry
from ansible_collections.seed.comprehend.plugins.module_utils.aws import concurrently
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError

# resource type -> (client method, ARN parameter, result key)
_DESCRIBE = {
    "document-classifier": ("describe_document_classifier", "DocumentClassifierArn", "DocumentClassifierProperties"),
    "entity-recognizer": ("describe_entity_recognizer", "EntityRecognizerArn", "EntityRecognizerProperties"),
}
# resource type -> (List* paginator, name filter key, result list key)
_LIST = {
    "document-classifier": ("list_document_classifiers", "DocumentClassifierName", "DocumentClassifierPropertiesList"),
    "entity-recognizer": ("list_entity_recognizers", "RecognizerName", "EntityRecognizerPropertiesList"),
}


class MissingModelError(OperationError):
    """A model version that doesn't exist, or that this account can't see."""


def missing_model(model: ModelArn) -> MissingModelError:
    return MissingModelError(
        f"the {model.resource_type} {model.arn} does not exist, or this account can't see it",
        resource_arn=model.arn,
    )


def describe_model(client: Any, model: ModelArn) -> Dict[str, Any]:
    """DescribeDocumentClassifier / DescribeEntityRecognizer properties; OperationError naming the ARN if missing."""
    method, parameter, key = _DESCRIBE[model.resource_type]
    try:
        return getattr(client, method)(aws_retry=True, **{parameter: model.arn})[key]
    except is_boto3_error_code("ResourceNotFoundException"):
        raise missing_model(model) from None


def model_arn_key(resource_type: str) -> str:
    """The key of a model's ARN in its properties: DocumentClassifierArn or EntityRecognizerArn."""
    return _DESCRIBE[resource_type][1]


def list_models(client: Any, resource_type: str, name: Optional[str] = None) -> List[Dict[str, Any]]:
    """Properties of every version of the model of that name (of every model without a name), across pages (botocore's
    paginator, retried)."""
    method, name_key, list_key = _LIST[resource_type]
    query = {"Filter": {name_key: name}} if name else {}
    # The largest page the API allows (MaxResults 1..500): the fewest calls for many versions.
    return paginated_query_with_retries(client, method, retry_decorator=aws_retry, PaginationConfig={"PageSize": 500},
                                        **query)[list_key]


def model_properties(client: Any, models: Sequence[ModelArn]) -> Dict[str, Dict[str, Any]]:
    """The properties of each of ``models`` that exists, by ARN (the missing ones are left out). The versions of a model
    named more than once come from one List call per page, whose items are the Describe call's properties; the others,
    and any the list doesn't show, are described one by one, PARALLEL_CALLS at a time. A role allowed to describe but not
    to list (the operator policy of 0.1.0) gets the same answer from the describe calls alone."""
    versions: Dict[Tuple[str, str], Set[str]] = {}
    for model in models:
        versions.setdefault((model.resource_type, model.name), set()).add(model.arn)
    found: Dict[str, Dict[str, Any]] = {}
    for (resource_type, name), arns in versions.items():
        if len(arns) > 1:
            arn_key = model_arn_key(resource_type)
            try:
                listed = list_models(client, resource_type, name)
            except is_boto3_error_code(list(ACCESS_DENIED_CODES)):
                continue
            found.update((properties[arn_key], properties) for properties in listed if properties[arn_key] in arns)
    rest = list({model.arn: model for model in models if model.arn not in found}.values())
    for model, (properties, error) in zip(rest, concurrently(lambda model: describe_model(client, model), rest)):
        if error is None:
            found[model.arn] = properties
        elif not isinstance(error, MissingModelError):
            raise error
    return found
