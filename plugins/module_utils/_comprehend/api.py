# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comprehend calls the collection's features share: describe a model version, know a missing one."""

from __future__ import annotations

from typing import Any, Dict

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError

# resource type -> (client method, ARN parameter, result key)
_DESCRIBE = {
    "document-classifier": ("describe_document_classifier", "DocumentClassifierArn", "DocumentClassifierProperties"),
    "entity-recognizer": ("describe_entity_recognizer", "EntityRecognizerArn", "EntityRecognizerProperties"),
}


def missing_model(model: ModelArn) -> OperationError:
    return OperationError(
        f"the {model.resource_type} {model.arn} does not exist, or this account can't see it",
        resource_arn=model.arn,
    )


def describe_model(client: Any, model: ModelArn) -> Dict[str, Any]:
    """DescribeDocumentClassifier / DescribeEntityRecognizer properties; OperationError naming the ARN if missing."""
    method, parameter, key = _DESCRIBE[model.resource_type]
    try:
        return getattr(client, method)(aws_retry=True, **{parameter: model.arn})[key]
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            raise missing_model(model) from None
        raise
