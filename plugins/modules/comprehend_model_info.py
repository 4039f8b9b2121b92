#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: comprehend_model_info
short_description: Describe Amazon Comprehend custom models, their encryption and their resource policy
version_added: 0.1.0
description:
  - Describes document classifiers and entity recognizers by ARN, or every version of one model by name.
  - For each model returns its type, name, version, account, region, status, the source model of an imported
    model, the key that encrypts it (resolved to the key ARN with C(kms:DescribeKey)) and its key type, and the
    resource-based policy attached to it with its revision.
  - This is what the P(seed.comprehend.share_model#role) role reads before it shares anything.
  - Several versions of one model in O(model_arns) are read with one C(ListDocumentClassifiers) or
    C(ListEntityRecognizers) call per 500 versions, which return the same properties as the describe calls; a lone
    version, and every version when the caller may not list, with one describe call each.
author:
  - seed.comprehend maintainers (@seed)
options:
  model_arns:
    description:
      - Model (version) ARNs to describe, all in the region of the connection.
      - Mutually exclusive with O(name).
    type: list
    elements: str
  model_type:
    description: The type of the model named by O(name).
    type: str
    choices: [document_classifier, entity_recognizer]
  name:
    description:
      - Describe every version of the model of this name (paginated). Requires O(model_type).
    type: str
  statuses:
    description: With O(name), only return versions in one of these statuses.
    type: list
    elements: str
    choices: [SUBMITTED, TRAINING, DELETING, STOP_REQUESTED, STOPPED, IN_ERROR, TRAINED, TRAINED_WITH_WARNING]
  include_policy:
    description:
      - Whether to read each model's resource-based policy (one C(DescribeResourcePolicy) call per model).
      - With C(false), RV(models[].resource_policy) is null.
    type: bool
    default: true
  ignore_missing:
    description:
      - With C(false), a model ARN that does not exist (or that this account can't see) fails the task.
      - With C(true), it is listed in RV(missing) instead.
    type: bool
    default: false
extends_documentation_fragment:
  - seed.comprehend.attributes
  - seed.comprehend.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: Describe two model versions before sharing them
  seed.comprehend.comprehend_model_info:
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
      - arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people/version/v1
  register: info

- name: Every trained version of classifier mycf1
  seed.comprehend.comprehend_model_info:
    model_type: document_classifier
    name: mycf1
    statuses: [TRAINED, TRAINED_WITH_WARNING]
  register: versions

- name: Models that may have been deleted meanwhile do not fail the task
  seed.comprehend.comprehend_model_info:
    model_arns: "{{ arns_from_inventory }}"
    ignore_missing: true
  register: info

- name: Refuse to go on with a model that is not trained
  ansible.builtin.assert:
    that: info.models | rejectattr('trained') | list | length == 0
    fail_msg: "Not trained: {{ info.models | rejectattr('trained') | map(attribute='arn') | join(', ') }}"
"""

RETURN = r"""
models:
  description: One entry per model found, in the order asked for.
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: The model (version) ARN.
      type: str
      sample: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    model_type:
      description: C(document_classifier) or C(entity_recognizer).
      type: str
      sample: document_classifier
    name:
      description: The model name.
      type: str
      sample: mycf1
    version:
      description: The version name, null for a model trained without one.
      type: str
      sample: v2
    account:
      description: The AWS account that owns the model.
      type: str
      sample: "111122223333"
    region:
      description: The model's region; importers must import in this region.
      type: str
      sample: us-west-2
    status:
      description: The training status, one of the choices of O(statuses).
      type: str
      sample: TRAINED
    trained:
      description:
        - Whether the model is trained (RV(models[].status) C(TRAINED) or C(TRAINED_WITH_WARNING)), so that it can be
          shared and imported.
        - Test this rather than listing the trained statuses in a play.
      type: bool
      sample: true
      version_added: 0.2.0
    message:
      description: The status message AWS gives, for example why training failed; null when it gives none.
      type: str
    source_model_arn:
      description: For an imported model, the ARN of the model it was imported from; null for a model trained in its account.
      type: str
    encryption:
      description: How the model is encrypted.
      type: dict
      contains:
        key_type:
          description: C(aws_owned) (no key given at training), C(customer_managed) or C(aws_managed).
          type: str
          sample: customer_managed
        kms_key_arn:
          description: The key ARN (never a bare key ID); null for an AWS owned key.
          type: str
          sample: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
        key_manager:
          description: C(CUSTOMER) or C(AWS), null for an AWS owned key.
          type: str
          sample: CUSTOMER
        key_state:
          description: The key state, for example C(Enabled) or C(PendingDeletion).
          type: str
          sample: Enabled
    resource_policy:
      description: The resource-based policy attached to the model; null with O(include_policy=false).
      type: dict
      contains:
        policy:
          description: The policy document (not snake-cased), null when none is attached.
          type: dict
          sample: {"Version": "2012-10-17", "Statement": []}
        revision_id:
          description: The policy revision, null when no policy is attached.
          type: str
          sample: 0123456789abcdef0123456789abcdef
missing:
  description: With O(ignore_missing=true), the ARNs that were not found.
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import MODEL_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info_aws import describe_models
from ansible_collections.seed.comprehend.plugins.module_utils.aws import retrying_client
from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            model_arns=dict(type="list", elements="str"),
            model_type=dict(type="str", choices=["document_classifier", "entity_recognizer"]),
            name=dict(type="str"),
            statuses=dict(type="list", elements="str", choices=list(MODEL_STATUSES)),
            include_policy=dict(type="bool", default=True),
            ignore_missing=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("model_arns", "name")],
        required_one_of=[("model_arns", "name")],
        required_together=[("model_type", "name")],
        supports_check_mode=True,
    )
    run_module(module, lambda: describe_models(
        retrying_client(module, "comprehend"), retrying_client(module, "kms"), module.region, module.params,
    ))


if __name__ == "__main__":
    main()
