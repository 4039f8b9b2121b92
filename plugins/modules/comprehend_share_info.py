#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: comprehend_share_info
short_description: Audit who can import each Amazon Comprehend custom model, and whether the import would work
version_added: 0.2.0
description:
  - Lists every document classifier and entity recognizer version of the account in the connection's region (or in
    O(regions), or only the models of O(names) or the versions of O(model_arns)), and for each one returns its status,
    its key (type, ARN and state), the principals its resource-based policy lets call C(comprehend:ImportModel), and,
    for a customer managed key, the principals the key policy lets use the key B(for that model version).
  - The key policy is evaluated as AWS KMS evaluates it, every statement whoever wrote it (Allow and Deny, C(Action)
    and C(NotAction) with wildcards, C(Resource), principals (C(*), account IDs and roots, IAM users and roles), and the
    conditions C(StringEquals), C(StringLike), their negations, C(IfExists) forms and C(ForAnyValue:)/C(ForAllValues:)
    qualifiers on C(aws:SourceArn) and C(kms:EncryptionContext:aws:comprehend:arn), and on C(kms:CallerAccount) and
    C(aws:PrincipalAccount) (the account of the principal asked about)). A statement with anything else
    (another condition key or operator, C(NotPrincipal)) can't be evaluated; access that depends on it is reported as
    unknown (RV(models[].key_policy_unevaluated), finding C(key_access_unknown)), never as no access.
  - An account root in a key policy stands for the account; any of its users and roles that its own IAM policies allow
    may use the key (the importer's data access role, which AWS KMS sees during an import). A role or user named in the
    key policy lets its account import through that identity.
  - Returns RV(findings), each with what to do. The module only reads (C(comprehend:List*),
    C(comprehend:DescribeResourcePolicy), C(kms:DescribeKey), C(kms:GetKeyPolicy)), so it runs in check mode and with
    a read-only IAM role.
  - "Calls: one C(ListDocumentClassifiers) / C(ListEntityRecognizers) per page, one C(DescribeResourcePolicy) per model
    version, one C(DescribeKey) per key (as the models name it) and one C(GetKeyPolicy) per customer managed key,
    a few at a time, throttling retried."
author:
  - seed.comprehend maintainers (@seed)
options:
  regions:
    description:
      - The regions to audit. Default, the region of the connection.
      - Mutually exclusive with O(model_arns), whose ARNs name their regions.
    type: list
    elements: str
  names:
    description:
      - Only the models of these names (every version, both model types).
      - Mutually exclusive with O(model_arns).
    type: list
    elements: str
  model_arns:
    description:
      - Only these model versions (ARNs), each in its own region. One not found is listed in RV(missing).
    type: list
    elements: str
extends_documentation_fragment:
  - seed.comprehend.attributes
  - seed.comprehend.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
notes:
  - A key policy only shows half of cross-account access to a key; the importing account's own IAM policies must allow
    its identity too, and those are not visible from the owner's account.
  - A model named in a key policy that the audit's scope covers but doesn't find is taken as deleted
    (C(stale_key_access)); with O(names) or O(model_arns) only the models in that scope are judged.
"""

EXAMPLES = r"""
- name: Audit every shared model of the account in us-west-2 and eu-west-1
  seed.comprehend.comprehend_share_info:
    regions: [us-west-2, eu-west-1]
  register: audit

- name: Fail when an import would fail or a key is shared too widely
  ansible.builtin.assert:
    that: audit.findings | selectattr('severity', 'equalto', 'high') | list | length == 0
    fail_msg: "{{ audit.findings | selectattr('severity', 'equalto', 'high') | map(attribute='message') | join('\n') }}"

- name: Who may import each version of the support-tickets classifier, and who may use its key for it
  seed.comprehend.comprehend_share_info:
    names: [support-tickets]
  register: tickets

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.arn }}: importers {{ item.resource_policy_principals | map(attribute='principal') | list }},
      key users {{ (item.key_principals or []) | selectattr('access', 'equalto', 'allowed') | map(attribute='principal') | list }}"
  loop: "{{ tickets.models }}"
  loop_control:
    label: "{{ item.arn }}"

- name: Check two handed-off model versions
  seed.comprehend.comprehend_share_info:
    model_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/support-tickets/version/v1
      - arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/product-names/version/v3
  register: handed_off
"""

RETURN = r"""
models:
  description: One entry per model version found, sorted by ARN.
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: The model (version) ARN.
      type: str
      sample: arn:aws:comprehend:us-west-2:111122223333:document-classifier/support-tickets/version/v1
    model_type:
      description: C(document_classifier) or C(entity_recognizer).
      type: str
      sample: document_classifier
    name:
      description: The model name.
      type: str
      sample: support-tickets
    version:
      description: The version name, null for a model trained without one.
      type: str
      sample: v1
    account:
      description: The account that owns the model.
      type: str
      sample: "111122223333"
    region:
      description: The model's region.
      type: str
      sample: us-west-2
    status:
      description: The training status, as the List call returned it.
      type: str
      sample: TRAINED
    trained:
      description: Whether the status is C(TRAINED) or C(TRAINED_WITH_WARNING).
      type: bool
      sample: true
    message:
      description: The status message AWS gives; null when it gives none.
      type: str
    source_model_arn:
      description: For an imported model, the model it was imported from; else null.
      type: str
    encryption:
      description: The key that encrypts the model.
      type: dict
      contains:
        key_type:
          description:
            - C(aws_owned) (no key), C(customer_managed) or C(aws_managed) (from C(KeyManager) of C(kms:DescribeKey)).
            - Null when the key couldn't be described (RV(models[].key_error)).
          type: str
          sample: customer_managed
        kms_key_arn:
          description: The key ARN; null for an AWS owned key.
          type: str
          sample: arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
        key_manager:
          description: C(CUSTOMER) or C(AWS); null for an AWS owned key.
          type: str
          sample: CUSTOMER
        key_state:
          description: The key state, for example C(Enabled), C(Disabled) or C(PendingDeletion).
          type: str
          sample: Enabled
    resource_policy_principals:
      description: The principals the model's resource-based policy lets call C(comprehend:ImportModel); empty when no policy is attached.
      type: list
      elements: dict
      contains:
        principal:
          description: The principal, an account as its root ARN.
          type: str
          sample: arn:aws:iam::444455556666:root
        type:
          description: C(account), C(iam_user), C(iam_role), C(service), C(wildcard) or C(other) (such as the unique ID AWS shows for a deleted role).
          type: str
          sample: account
    resource_policy_error:
      description: Why the resource policy couldn't be read; null when it was.
      type: str
    key_principals:
      description:
        - For a customer managed key whose policy could be read, each principal the key policy names in an Allow (or
          C(*)) that may use the key for this model version for at least one of C(kms:CreateGrant), C(kms:Decrypt) and
          C(kms:GenerateDataKey); null for other keys.
      type: list
      elements: dict
      contains:
        principal:
          description: The principal as the key policy names it (an account ID as its root ARN).
          type: str
          sample: arn:aws:iam::444455556666:root
        type:
          description: As in RV(models[].resource_policy_principals[].type).
          type: str
          sample: account
        access:
          description: C(allowed) (all three actions), C(unknown) (some can't be evaluated) or C(partial) (not all three; an import fails).
          type: str
          sample: allowed
        actions:
          description: The actions the key policy allows it for this model version.
          type: list
          elements: str
          sample: [kms:CreateGrant, kms:Decrypt, kms:GenerateDataKey]
        unknown_actions:
          description: The actions whose answer depends on what can't be evaluated.
          type: list
          elements: str
          sample: []
    key_policy_unevaluated:
      description: What of the key policy couldn't be evaluated for this model version, per statement.
      type: list
      elements: str
      sample: ["Foreign: the condition key kms:ViaService can't be evaluated"]
    key_error:
      description: Why the key couldn't be described or its policy read; null when it could.
      type: str
kms_keys:
  description: One entry per key the models name, sorted by ARN.
  returned: always
  type: list
  elements: dict
  contains:
    kms_key_arn:
      description: The key ARN (the key ID as the models name it, when the key couldn't be described).
      type: str
    key_type:
      description: As in RV(models[].encryption.key_type).
      type: str
    key_manager:
      description: C(CUSTOMER) or C(AWS).
      type: str
    key_state:
      description: The key state.
      type: str
    model_arns:
      description: The model versions of the audit encrypted with it.
      type: list
      elements: str
    broad_statements:
      description: The key policy statements that let principals of other accounts use the key for any model of the account.
      type: list
      elements: dict
      sample: [{"sid": "Statement[3]", "principals": ["arn:aws:iam::444455556666:root"]}]
    error:
      description: Why the key couldn't be described or its policy read; null when it could.
      type: str
findings:
  description:
    - What is wrong or risky, most severe first, each with what to do in RV(findings[].message).
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description:
        - C(import_will_fail) (high) a principal may import a trained model but the key lets no identity of its account use
          the key for that model version.
        - C(wildcard_principal) (high) the resource policy lets anyone import, or the key policy lets anyone use the key
          for the model version.
        - C(key_disabled_or_pending_deletion) (high) the model's key is not enabled, or can't be described.
        - C(aws_managed_key) (high) a shared model is encrypted with an AWS managed key, which can't be shared.
        - C(audit_incomplete) (high) the model version's resource policy, or its key's policy, couldn't be read (AWS's
          refusal is in RV(models[].resource_policy_error) or RV(models[].key_error)), so who may import it is not known.
        - C(stale_key_access) (medium) the key lets a principal of another account use it for a model version that the
          account may no longer import (no longer shared with it, deleted, or under another key).
        - C(broad_key_access) (medium) a key policy statement lets another account use the key for any model
          (no condition on the model ARN, or a pattern such as C(arn:aws:comprehend:*)); RV(findings[].model_arn) is null.
        - C(shared_but_not_trained) (medium) a model version that is shared is not trained.
        - C(key_access_unknown) (low) whether the key lets an importer's account use it can't be evaluated.
      type: str
      sample: import_will_fail
    severity:
      description: C(high), C(medium) or C(low).
      type: str
      sample: high
    model_arn:
      description: The model version concerned; null for a finding about a key.
      type: str
    principal:
      description: The principal concerned (several, comma-separated, for a model shared with several); null when none.
      type: str
    kms_key_arn:
      description: The key concerned; null when none.
      type: str
    message:
      description: What is wrong, and the fix.
      type: str
missing:
  description: The ARNs of O(model_arns) that were not found.
  returned: always
  type: list
  elements: str
  sample: []
regions:
  description: The regions audited.
  returned: always
  type: list
  elements: str
  sample: [us-west-2]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import build_scope
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info_aws import audit_shares
from ansible_collections.seed.comprehend.plugins.module_utils.aws import retrying_client
from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            regions=dict(type="list", elements="str"),
            names=dict(type="list", elements="str"),
            model_arns=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("model_arns", "regions"), ("model_arns", "names")],
        supports_check_mode=True,
    )

    def audit():
        scope = build_scope(module.params, module.region)
        # Clients made up front, one per service and region: the reads then run on threads.
        clients = {(service, region): retrying_client(module, service, region=region)
                   for service in ("comprehend", "kms") for region in {query[0] for query in scope.queries}}
        return audit_shares(lambda service, region: clients[(service, region)], scope)

    run_module(module, audit)


if __name__ == "__main__":
    main()
