#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: comprehend_import_model
short_description: Import an Amazon Comprehend custom model shared by another AWS account
version_added: 0.1.0
description:
  - Runs C(ImportModel) in the importer's account for a document classifier or entity recognizer that its owner
    shared (see M(seed.comprehend.comprehend_resource_policy) and the P(seed.comprehend.share_model#role) role),
    then waits until the copy is trained.
  - Idempotent. When the account already holds a model of that name and version imported from the same source,
    nothing is imported (only its tags are reconciled, see O(tags)). One imported from another source, or trained in the account, is a failure, never a
    silent success. With O(version_name) the copy's ARN is known and described; without it AWS doesn't document
    the copy's ARN, so the models of that name are listed and the one whose C(SourceModelArn) is the source is the
    copy (this needs C(comprehend:ListDocumentClassifiers) or C(comprehend:ListEntityRecognizers)).
  - A freshly created or changed data access role may not be visible to Comprehend for a while (IAM is eventually
    consistent), and ImportModel then answers C(KmsKeyValidationException). O(kms_validation_retry_timeout) retries
    it with backoff for that long.
  - A C(KmsKeyValidationException) is explained. The module reads the data access role's inline and attached
    policies (C(iam:GetRole), C(iam:ListRolePolicies), C(iam:GetRolePolicy), C(iam:ListAttachedRolePolicies),
    C(iam:GetPolicy), C(iam:GetPolicyVersion); only then, and only when O(source_kms_key_arn) is set) and tells a
    role that lacks C(kms:CreateGrant), C(kms:Decrypt) or C(kms:GenerateDataKey) on the keys from an owner's key
    policy that doesn't name the role or the account. If those reads are refused it says it couldn't check.
  - A model can only be imported in the region of its source; another region is refused before any AWS call.
  - AWS refusals are turned into messages that say what the owner still has to do.
author:
  - seed.comprehend maintainers (@seed)
options:
  source_model_arn:
    description: The ARN of the shared model version, as the owner's handoff names it.
    type: str
    required: true
  model_name:
    description:
      - Name of the copy in this account. Defaults to the source model's name.
      - At most 63 letters, digits and hyphens.
    type: str
  version_name:
    description: Version name of the copy. At most 63 letters, digits and hyphens.
    type: str
  model_kms_key_id:
    description:
      - A KMS key of this account, in the source model's region, to encrypt the copy with, as a key ID or key ARN
        (ImportModel takes no alias; an alias is refused before any AWS call). Without it, an AWS owned key is used.
    type: str
  data_access_role_arn:
    description:
      - Service role that Comprehend assumes to use the KMS keys. Required by AWS when the source model is
        encrypted with a customer managed key, or when O(model_kms_key_id) is set.
    type: str
  source_kms_key_arn:
    description:
      - The ARN of the customer managed key that encrypts the source model (the handoff's C(kms_key_arn)).
      - Only used to explain a C(KmsKeyValidationException), by checking whether the data access role's own policies allow the
        key. Must be in the source model's account and region.
    type: str
  kms_validation_retry_timeout:
    description:
      - For how many seconds to retry ImportModel, with backoff, while it answers C(KmsKeyValidationException),
        as it does while IAM propagates a data access role created or changed moments before. C(0) does not retry.
      - Not retried when the role's own policies plainly lack the keys (see O(source_kms_key_arn)).
    type: int
    default: 0
  tags:
    description:
      - Tags of the copy, as a dictionary of keys and values. Given at the import, and reconciled on every later run
        on the existing copy (C(comprehend:ListTagsForResource), then C(comprehend:TagResource) and
        C(comprehend:UntagResource) when they differ), in check mode too without writing.
      - Without this option the copy's tags are left as they are, and not read.
      - At most 50 tags; keys of 1 to 128 characters, values of at most 256.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - With O(tags) set, V(true) removes the copy's tags that O(tags) doesn't list; V(false) only adds and changes tags.
      - Tags whose key starts with C(aws:), which AWS reserves, are never removed.
      - Without O(tags) this option has no effect.
    type: bool
    default: true
    version_added: 0.2.0
  wait:
    description:
      - Wait until the copy is C(TRAINED) or C(TRAINED_WITH_WARNING). A copy that ends C(IN_ERROR), C(STOPPED) or
        C(DELETING) fails the task with Comprehend's message at once.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 1800
  poll_delay:
    description:
      - The longest pause between two status checks while waiting, in seconds. Checks start one second apart and
        the pause doubles up to this.
    type: int
    default: 30
extends_documentation_fragment:
  - seed.comprehend.attributes
  - seed.comprehend.attributes.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: Import a classifier encrypted with an AWS owned key
  seed.comprehend.comprehend_import_model:
    source_model_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    model_name: mycf1-copy
    version_name: v2
    region: us-west-2

- name: Import a model under the owner's customer managed key, re-encrypted with our own key
  seed.comprehend.comprehend_import_model:
    source_model_arn: arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people/version/v1
    source_kms_key_arn: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    data_access_role_arn: arn:aws:iam::444455556666:role/comprehend-import
    model_kms_key_id: arn:aws:kms:us-west-2:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321
    kms_validation_retry_timeout: 60  # the role was created moments ago
    tags:
      team: mlops
    region: us-west-2

- name: Start the imports of a handoff, each in its model's region
  seed.comprehend.comprehend_import_model:
    source_model_arn: "{{ item.model_arn }}"
    wait: false
    region: "{{ item.region }}"
  loop: "{{ handoff }}"

- name: Then wait for each copy (the same task with wait finds the copy and writes nothing)
  seed.comprehend.comprehend_import_model:
    source_model_arn: "{{ item.model_arn }}"
    region: "{{ item.region }}"
  loop: "{{ handoff }}"
"""

RETURN = r"""
model_arn:
  description:
    - The ARN of the copy in this account.
    - Null in check mode when the copy doesn't exist yet and O(version_name) is not set (AWS doesn't document the
      ARN of a copy without a version name).
  returned: always
  type: str
  sample: arn:aws:comprehend:us-west-2:444455556666:document-classifier/mycf1-copy/version/v2
status:
  description:
    - The copy's status after the run (the choices of O(seed.comprehend.comprehend_model_info#module:statuses));
      null in check mode when the copy doesn't exist yet.
    - With O(wait=true) outside check mode, C(TRAINED) or C(TRAINED_WITH_WARNING); a copy that ends C(IN_ERROR), C(STOPPED) or
      C(DELETING), or is not trained after O(wait_timeout), fails the task.
  returned: always
  type: str
  sample: TRAINED
source_model_arn:
  description: O(source_model_arn), as given.
  returned: always
  type: str
tags:
  description: The copy's tags after the run (what they would be, in check mode).
  returned: when O(tags) is set
  type: dict
  sample: {team: mlops}
  version_added: 0.2.0
polls:
  description:
    - The status seen at each poll while waiting, oldest first.
    - Empty when the module didn't poll (no wait, or the copy was trained already).
  returned: always
  type: list
  elements: str
  sample: [SUBMITTED, TRAINING, TRAINED]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.comprehend.plugins.module_utils.aws import retrying_client
from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import build_import_request
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import_aws import import_model


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            source_model_arn=dict(type="str", required=True),
            model_name=dict(type="str"),
            version_name=dict(type="str"),
            model_kms_key_id=dict(type="str"),
            data_access_role_arn=dict(type="str"),
            source_kms_key_arn=dict(type="str", no_log=False),  # an ARN, not a secret
            kms_validation_retry_timeout=dict(type="int", default=0),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
            poll_delay=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )

    def work():
        request = build_import_request(module.params, module.region)
        return import_model(retrying_client(module, "comprehend"), retrying_client(module, "sts"),
                            retrying_client(module, "iam"), request, wait=module.params["wait"],
                            wait_timeout=module.params["wait_timeout"], poll_delay=module.params["poll_delay"],
                            retry_timeout=module.params["kms_validation_retry_timeout"],
                            check_mode=module.check_mode, diff=module._diff)

    run_module(module, work)


if __name__ == "__main__":
    main()
