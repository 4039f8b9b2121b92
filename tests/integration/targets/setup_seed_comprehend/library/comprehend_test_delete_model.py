#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only module of the integration targets: deletes a model version the targets imported (the collection never
deletes models, and neither amazon.aws nor community.aws has a Comprehend module)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: comprehend_test_delete_model
short_description: Delete a Comprehend model version (integration targets only)
description:
  - Calls C(DeleteDocumentClassifier) or C(DeleteEntityRecognizer) on O(model_arn); a model that doesn't exist is
    not a change. AWS deletes it asynchronously (status C(DELETING)).
options:
  model_arn:
    description: The model version ARN to delete.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - seed.comprehend maintainers
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

# The delete operation of each model type (ARN resource type -> (client method, ARN parameter)).
DELETE = {
    "document-classifier": ("delete_document_classifier", "DocumentClassifierArn"),
    "entity-recognizer": ("delete_entity_recognizer", "EntityRecognizerArn"),
}


def main():
    module = AnsibleAWSModule(argument_spec={"model_arn": {"type": "str", "required": True}}, supports_check_mode=False)
    arn = module.params["model_arn"]
    method, parameter = DELETE[arn.split(":")[5].split("/")[0]]
    client = module.client("comprehend")
    try:
        getattr(client, method)(**{parameter: arn})
    except is_boto3_error_code("ResourceNotFoundException"):
        module.exit_json(changed=False)
    except Exception as error:  # pylint: disable=broad-exception-caught  # a test helper: report anything
        module.fail_json_aws(error, msg=f"could not delete {arn}")
    module.exit_json(changed=True)


if __name__ == "__main__":
    main()
