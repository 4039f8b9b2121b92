#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kms_comprehend_grant
short_description: Manage the key policy statements that let other AWS accounts import Comprehend models encrypted with a KMS key
version_added: 0.1.0
description:
  - Despite its name, this module manages statements of a KMS key policy (C(PutKeyPolicy)), not KMS grants. It never
    calls C(CreateGrant) or C(RetireGrant); Comprehend creates the grants it needs during the import, as the key
    policy statements allow.
  - Adds or removes the KMS key policy statements that another account needs to import an Amazon Comprehend custom
    model (document classifier or entity recognizer) encrypted with a customer managed key.
  - For one model and one principal the statements are those of the AWS guide's first example,
    V(kms:Decrypt) and V(kms:GenerateDataKey) under C(aws:SourceArn), and V(kms:CreateGrant) under
    C(kms:EncryptionContext:aws:comprehend:arn), both naming the model version ARN.
  - The module edits only the statements it can prove it wrote. Their Sid is C(SeedComprehendImport), the statement's
    kind and a digest of the statement's own content (principals, actions, condition and models, in a canonical form
    that the way KMS hands a policy back doesn't change). A statement whose Sid merely starts with
    C(SeedComprehendImport), or one of the module's statements edited since, is someone else's. Every other statement
    of the key policy stays exactly as it was, in its place, and the module warns about look-alikes it leaves alone.
    Models that share the same principals are grouped into one pair of statements, so one key can carry grants
    for many model versions within the 32,768 bytes a key policy may have.
  - Models encrypted with an AWS owned key need no key policy change. Models encrypted with an AWS managed key
    (such as C(alias/aws/comprehend)) can't be shared, because the policy of such a key can't be changed; the module refuses such a key.
  - The model itself must also be shared with a resource-based policy, see M(seed.comprehend.comprehend_resource_policy).
options:
  key_id:
    description:
      - The customer managed KMS key that encrypts the models, as key ID, key ARN, alias name (V(alias/NAME)) or alias ARN.
      - The key must be enabled and in the same account and region as the models.
      - Results always name the key by its ARN.
      - Every run describes the key and refuses one that is not enabled or not customer managed, then reads its
        policy. A run that finds every grant in place makes these two calls and no write; a rerun on a key disabled
        since the grants were written fails, naming the key state.
    type: str
    required: true
    aliases: [key_arn]
  model_arns:
    description:
      - Comprehend model version ARNs the grant covers, of the form
        V(arn:aws:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/VERSION)
        (or C(entity-recognizer); models trained without a version have no C(/version/VERSION) part).
      - An exact ARN is rendered under a C(StringEquals) condition. A pattern with C(*), such as
        V(arn:aws:comprehend:REGION:ACCOUNT:document-classifier/NAME/version/*) or the guide's V(arn:aws:comprehend:*),
        is rendered under C(StringLike); the module then warns that the grant covers more than one model version.
      - Required with O(state=present).
    type: list
    elements: str
  principals:
    description:
      - Exactly the principals the key policy names, as 12-digit account IDs (the whole account) or IAM user and role
        ARNs. Account IDs are stored as root ARNs (V(arn:aws:iam::ACCOUNT:root)). The module grants what it is given;
        it doesn't derive one principal from another.
      - Name the identity KMS sees during the import, which is not the one that calls ImportModel. Comprehend uses the
        key as the importer's data access role (the service role passed as C(DataAccessRoleArn)). So name that role,
        or the importing account (its root), which lets the importer delegate the key to the role with the role's
        own IAM policy. An IAM user never works here; a role that doesn't exist yet can't be named (see the notes).
      - Principals must be in the key's partition. Wildcard principals are refused.
      - Required with O(state=present).
    type: list
    elements: str
  state:
    description:
      - V(present) grants O(principals) the use of the key for each model of O(model_arns).
      - V(absent) removes O(principals) from the grants of the O(model_arns). With O(model_arns) only, it removes the
        whole grant of those models; with O(principals) only, it removes those principals from every model's grant;
        with neither, it removes every statement this module owns on the key.
    type: str
    choices: [present, absent]
    default: present
  purge_principals:
    description:
      - With O(state=present), V(true) makes each listed model's grant name exactly O(principals), removing other
        principals from it; V(false) only adds O(principals).
      - Grants for models not listed in O(model_arns) are never touched.
      - Ignored with O(state=absent).
    type: bool
    default: true
  policy_size_limit:
    description:
      - The largest key policy, in bytes of the policy text as sent, that the module writes. A change that would
        make the policy larger fails before any write, saying how many grants fit. Removals are never refused.
      - The default is KMS's documented limit. Raise it only if AWS raised theirs; KMS's own refusal
        (C(LimitExceededException)) is reported either way.
    type: int
    default: 32768
    version_added: 0.2.0
notes:
  - A grant counts only when both statements of its pair (V(kms:Decrypt) and V(kms:GenerateDataKey), V(kms:CreateGrant))
    hold it, so a principal that may only decrypt never gains V(kms:CreateGrant) from the module. What is left of a
    pair of the module's statements of which one was removed or edited goes at the next write.
  - When a statement the module doesn't own already has the Sid the module would give one of its statements, the
    module fails before any write (KMS wants each Sid of a key policy to be unique).
  - Statements written by release 0.1.0, whose Sid digest covered the principals only, are taken over only as a
    complete pair exactly as 0.1.0 wrote it; the next write gives them the current Sids. A lone or edited one is left
    alone, so an upgrade neither duplicates nor completes grants.
  - KMS key policies have no revision ID. After a write the module reads the policy again and checks that its
    statements and every statement it found before are still there; when another writer interfered, it applies its
    change again on top of the other writer's policy (8 attempts in all, with growing jittered pauses) and then
    fails.
  - A principal that doesn't exist, or that IAM doesn't know yet (a role created seconds ago), makes KMS refuse the
    policy as malformed (C(invalid principals)); the module retries with doubling pauses for about a minute, then
    fails saying so.
  - The module never sets C(BypassPolicyLockoutSafetyCheck). When KMS's lockout safety check refuses the new
    policy (it would not let the caller manage the key), the module fails at once, since waiting doesn't change that.
  - Each model ARN appears twice in the key policy, once per statement of its pair. About 150 model versions with
    ARNs of up to about 100 characters fit in the 32,768 bytes of a key policy. Past O(policy_size_limit) the module
    fails before writing, saying how many grants fit and suggesting a pattern.
  - The module needs C(kms:DescribeKey), C(kms:GetKeyPolicy) and C(kms:PutKeyPolicy) on the key.
seealso:
  - module: seed.comprehend.comprehend_resource_policy
  - module: amazon.aws.kms_key
  - name: Sharing a custom model with another AWS account
    description: The AWS guide, with the key policy statements this module writes.
    link: https://docs.aws.amazon.com/comprehend/latest/dg/custom-copy-sharing.html
author:
  - seed.comprehend maintainers (@seed)
extends_documentation_fragment:
  - seed.comprehend.attributes
  - seed.comprehend.attributes.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  diff_mode:
    details: The diff shows the whole key policy document before and after the change.
"""

EXAMPLES = r"""
- name: Let account 444455556666 import version 1 of classifierName (the AWS guide's example)
  seed.comprehend.kms_comprehend_grant:
    key_id: alias/comprehend-models
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
    principals:
      - "444455556666"

- name: Name only the importer's data access role, the identity KMS sees during ImportModel
  seed.comprehend.kms_comprehend_grant:
    key_id: alias/comprehend-models
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
    principals:
      - arn:aws:iam::444455556666:role/seed-comprehend-import

- name: Share several model versions with an account and with a role of another account
  seed.comprehend.kms_comprehend_grant:
    key_id: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/2
      - arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/products/version/v3
    principals:
      - "444455556666"
      - arn:aws:iam::123456789012:role/ComprehendImport

- name: Share every version of classifierName, present and future, with one more account (a pattern)
  seed.comprehend.kms_comprehend_grant:
    key_id: alias/comprehend-models
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/*
    principals:
      - "210987654321"
    purge_principals: false

- name: Stop sharing version 1 with account 444455556666
  seed.comprehend.kms_comprehend_grant:
    key_id: alias/comprehend-models
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
    principals:
      - "444455556666"
    state: absent

- name: Remove every statement this module added to the key policy
  seed.comprehend.kms_comprehend_grant:
    key_id: alias/comprehend-models
    state: absent
"""

RETURN = r"""
key_arn:
  description: The ARN of the key, whatever form O(key_id) had.
  type: str
  returned: always
  sample: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
key_manager:
  description: Who manages the key; always V(CUSTOMER) on success (an AWS managed key is refused).
  type: str
  returned: always
  sample: CUSTOMER
grants:
  description: Every grant this module's statements hold on the key after the run, one item per model ARN or pattern.
  type: list
  elements: dict
  returned: always
  contains:
    model_arn:
      description: A model version ARN, or a pattern with C(*).
      type: str
      returned: always
      sample: arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
    principals:
      description: The principals that may use the key to import that model, sorted; account IDs as root ARNs.
      type: list
      elements: str
      returned: always
      sample:
        - arn:aws:iam::444455556666:root
  sample:
    - model_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
      principals:
        - arn:aws:iam::444455556666:root
policy:
  description:
    - The key policy after the run, as read back from KMS after a write (in check mode, the policy that would be
      written). Keys keep their AWS spelling.
  type: dict
  returned: always
  sample:
    Version: "2012-10-17"
    Id: key-default-1
    Statement:
      - Sid: Enable IAM User Permissions
        Effect: Allow
        Principal:
          AWS: arn:aws:iam::111122223333:root
        Action: kms:*
        Resource: "*"
      - Sid: SeedComprehendImportDecryptc7cd43b40a29baf5
        Effect: Allow
        Principal:
          AWS: arn:aws:iam::444455556666:root
        Action:
          - kms:Decrypt
          - kms:GenerateDataKey
        Resource: "*"
        Condition:
          StringEquals:
            aws:SourceArn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
      - Sid: SeedComprehendImportCreateGrant82245031a2ee5025
        Effect: Allow
        Principal:
          AWS: arn:aws:iam::444455556666:root
        Action: kms:CreateGrant
        Resource: "*"
        Condition:
          StringEquals:
            kms:EncryptionContext:aws:comprehend:arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/classifierName/version/1
diff:
  description: The key policy before and after the run.
  type: dict
  returned: in diff mode
  contains:
    before:
      description: The key policy as read before the run.
      type: dict
      returned: in diff mode
      sample:
        Version: "2012-10-17"
        Id: key-default-1
        Statement:
          - Sid: Enable IAM User Permissions
            Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:root
            Action: kms:*
            Resource: "*"
    after:
      description: The key policy after the run, the same as RV(policy) (see its sample).
      type: dict
      returned: in diff mode
"""

from typing import Any, Dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.comprehend.plugins.module_utils.aws import retrying_client
from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy_aws import converge_key_policy
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy_aws import describe_key
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import GrantRequest
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import POLICY_SIZE_LIMIT
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import check_key
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import grants_result
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import build_grant_request

ARGUMENT_SPEC = dict(
    key_id=dict(type="str", required=True, aliases=["key_arn"]),
    model_arns=dict(type="list", elements="str"),
    principals=dict(type="list", elements="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    purge_principals=dict(type="bool", default=True),
    policy_size_limit=dict(type="int", default=POLICY_SIZE_LIMIT),
)


def ensure_grants(module: AnsibleAWSModule) -> Dict[str, Any]:
    client = retrying_client(module, "kms")
    # One path for every run: the key is described (a disabled key or an AWS managed one is refused), then its
    # policy converges.
    metadata = describe_key(client, module.params["key_id"])
    check_key(metadata)
    key_arn = metadata["Arn"]
    request = build_grant_request(module.params, key_arn)
    outcome = converge_key_policy(client, key_arn, request, module.check_mode)
    return grant_result(module, key_arn, metadata["KeyManager"], request, outcome)


def grant_result(module: AnsibleAWSModule, key_arn: str, key_manager: str, request: GrantRequest,
                 outcome: Outcome) -> Dict[str, Any]:
    for warning in request.warnings + outcome.change.detail.warnings:
        module.warn(warning)
    result = {
        "changed": outcome.changed,
        "key_arn": key_arn,
        "key_manager": key_manager,
        "grants": grants_result(outcome.change.detail.grants),
        "policy": outcome.after,
    }
    if module._diff:
        result["diff"] = {"before": outcome.before, "after": outcome.after}
    return result


def main() -> None:
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, lambda: ensure_grants(module))


if __name__ == "__main__":
    main()
