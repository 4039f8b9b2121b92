#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: comprehend_resource_policy
short_description: Let other AWS accounts import an Amazon Comprehend custom model version
version_added: 0.1.0
description:
  - Attaches, changes or removes the resource-based policy of one Amazon Comprehend custom model version (a document
    classifier or an entity recognizer). The policy lets principals of other AWS accounts run C(comprehend:ImportModel)
    on that version. This is step 1 of sharing a custom model in the AWS guide.
  - With O(principals), the module owns one statement of the policy, found by its C(Sid) (O(statement_id)). That
    statement allows C(comprehend:ImportModel) on C(Resource) V(*) (the model version) to the principals. Every other
    statement of the policy is left exactly as it was. Other elements of the owned statement, such as a C(Condition),
    are kept.
  - With O(policy), the module replaces the whole document.
  - The module compares policies by meaning, not by text. An account ID and its C(root) ARN, a string and a one-item
    list, the order of statements, actions and principals, and the normalisation AWS applies to a stored policy are
    not changes. A run that would change nothing makes no write call.
  - Every write names the policy revision the module read (C(PolicyRevisionId)). When another writer changed the
    policy in between, the module reads it again, applies its change to what it finds, and tries again, up to ten
    times with growing jittered pauses; then it fails and nothing the other writer did is lost.
  - Throttling and internal errors are retried with jittered backoff.
  - Calls go to the region named in O(resource_arn), whatever region the connection options give.
  - With O(resource_arns), one task manages the policies of several model versions with the same options. All of
    them are read and planned before the first write, so a missing model or a refused plan stops the task with
    nothing written. Then the policies are written four at a time. This is much faster than a loop over
    O(resource_arn) for many versions.
  - Both forms return RV(resources), one item per model version with its own diff.
author:
  - seed.comprehend maintainers (@seed)
options:
  resource_arn:
    description:
      - The ARN of the model version to share, versioned or not, in any partition, for example
        V(arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2).
      - It is checked against the Comprehend API's pattern before any call.
      - Exactly one of O(resource_arn) and O(resource_arns) is required.
    type: str
    aliases: [model_arn]
  resource_arns:
    description:
      - The ARNs of several model versions to give the same policy change, in any regions.
      - Every ARN is checked before any call; an ARN given twice is managed once.
      - The results are in RV(resources), one item per model version; RV(resource_arn), RV(policy),
        RV(policy_revision_id) and RV(principals), kept for the single form O(resource_arn), are not returned.
    type: list
    elements: str
    aliases: [model_arns]
    version_added: 0.2.0
  state:
    description:
      - V(present) attaches the policy or adds the principals.
      - V(absent) with O(principals) removes those principals from the owned statement. The statement goes when it
        names no principal any more, and the policy is deleted when it has no statement left.
      - V(absent) without O(principals) deletes the whole policy.
    type: str
    choices: [present, absent]
    default: present
  principals:
    description:
      - The principals allowed to import the model version. Each is a 12-digit AWS account ID (the whole account),
        an IAM user or role ARN (with a path or not), or a service principal such as V(comprehend.amazonaws.com).
      - Account IDs are written as C(arn:PARTITION:iam::ACCOUNT:root) ARNs, the form AWS itself stores.
      - IAM ARNs must be in the partition of O(resource_arn) and follow IAM's naming rules (user and role names of
        at most 64 ASCII letters, digits and C(+=,.@_-), paths of the same characters); a V(*) inside one is refused.
      - A wildcard principal (V(*) or V(arn:aws:iam::*:root)) is refused unless O(allow_wildcard_principal=true).
      - An empty list with O(purge_principals=true) and O(state=present) removes the owned statement.
      - Mutually exclusive with O(policy).
    type: list
    elements: str
  purge_principals:
    description:
      - With V(true), the owned statement names exactly O(principals) afterwards.
      - With V(false), O(principals) are added to those the statement already names.
      - Only used with O(principals) and O(state=present).
    type: bool
    default: true
  statement_id:
    description:
      - The C(Sid) of the statement this module owns in the policy.
      - The default is the C(Sid) of the AWS guide's example, so a policy attached by hand following the guide is
        adopted rather than duplicated.
      - 1 to 128 printable Latin-1 characters.
      - Only used with O(principals); with O(policy) it selects the statement whose principals are returned.
    type: str
    default: ResourcePolicyForImportModel
    aliases: [sid]
  policy:
    description:
      - A whole policy document, as a dictionary or JSON text, that replaces the attached one.
      - Every statement must name C(comprehend:ImportModel) as its only C(Action) (the only action a model policy
        grants) and a C(Principal) of AWS account, IAM user or role, or service principals; C(NotAction) and
        C(NotPrincipal) are refused. C(Sid)s must be unique.
      - The document must fit in 20,000 characters as compact JSON and hold only Latin-1 characters.
      - Mutually exclusive with O(principals). Not allowed with O(state=absent).
    type: json
  allow_wildcard_principal:
    description:
      - Allow V(*) (everybody) as a principal in O(principals) or in an C(Allow) statement of O(policy).
      - This makes the model version importable by every AWS account; leave it V(false) unless that is the intent.
    type: bool
    default: false
  planned_without_policy:
    description:
      - Model versions of O(resource_arns) that a check-mode run of this module found without a resource policy
        moments before, in the same play (the items of its RV(resources) whose diff has an empty C(before)).
      - They are not read again - their first policy is written straight away, then read back after a pause as every
        first policy is, so that a concurrent run of this module that wrote one too is seen and its change kept.
      - Comprehend can't make a first write conditional, so a policy that someone else attached to one of these versions
        since the check-mode run is overwritten. Without this option, a version found without a policy is read again
        right before its write, which leaves that window to a fraction of a second. The C(seed.comprehend.share_model)
        role passes its plan here.
      - Every ARN must be one of O(resource_arns).
    type: list
    elements: str
    default: []
    version_added: 0.2.0
notes:
  - Comprehend writes the first policy of a model version without a revision, so a policy another writer creates in
    the instant between this module's read and its write (with O(planned_without_policy), since the check-mode run)
    can be overwritten. Every later change is conditional. All first policies a task writes are read back after one
    pause, and a change another run of this module overwrote is applied again.
  - AWS documents neither the error nor the message for a stale revision. Precondition and conflict error codes count
    as one. An C(InvalidRequestException) on a write that named a revision, whatever its message, is checked by
    reading the policy again - when its revision changed since, another writer got there first and the module plans
    and writes again; when it didn't, the module fails with AWS's refusal.
  - The module runs where the task runs (usually the controller) and needs C(comprehend:DescribeResourcePolicy),
    C(comprehend:PutResourcePolicy), C(comprehend:DeleteResourcePolicy), and C(comprehend:DescribeDocumentClassifier)
    or C(comprehend:DescribeEntityRecognizer) on the model version. Versions of one model found without a policy are
    checked to exist with one C(comprehend:ListDocumentClassifiers) or C(comprehend:ListEntityRecognizers) call when
    allowed, else with a describe call each.
seealso:
  - name: Sharing a custom model with another AWS account
    description: The AWS guide this module automates (resource-based policies, step 1).
    link: https://docs.aws.amazon.com/comprehend/latest/dg/custom-copy-sharing.html
  - name: PutResourcePolicy
    description: The Comprehend API call behind this module.
    link: https://docs.aws.amazon.com/comprehend/latest/APIReference/API_PutResourcePolicy.html
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
    details:
      - The diff shows the policy document before and after, as dictionaries.
      - With O(resource_arns), there is one diff per model version, headed by its ARN.
"""

EXAMPLES = r"""
- name: Share version v2 of classifier mycf1 with user jane and with all of account 123456789012 (the guide's example)
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    principals:
      - arn:aws:iam::444455556666:user/jane
      - "123456789012"

- name: Add an IAM role of another account, keeping the principals already allowed
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people/version/v1
    principals:
      - arn:aws:iam::444455556666:role/analytics/ModelImporter
    purge_principals: false

- name: Share every version of a classifier with one task
  seed.comprehend.comprehend_resource_policy:
    resource_arns:
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v1
      - arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    principals:
      - "444455556666"
  register: shared

- name: Show who may import each version now (the same with resource_arn, for its one version)
  ansible.builtin.debug:
    msg: "{{ shared.resources | items2dict(key_name='resource_arn', value_name='principals') }}"

- name: Allow the Comprehend service principal in a statement of its own
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    statement_id: AllowComprehendService
    principals:
      - comprehend.amazonaws.com

- name: Stop sharing with account 123456789012 (other principals keep their access)
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    principals:
      - "123456789012"
    state: absent

- name: Remove the whole resource policy
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    state: absent

- name: Replace the whole policy with a document of your own
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: ResourcePolicyForImportModel
          Effect: Allow
          Action: comprehend:ImportModel
          Resource: "*"
          Principal:
            AWS:
              - arn:aws:iam::444455556666:user/jane
              - "123456789012"

- name: Preview a change with its diff, without writing
  seed.comprehend.comprehend_resource_policy:
    resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    principals:
      - "444455556666"
  check_mode: true
  diff: true
  register: preview

- name: The same for every task of a play, with one connection
  module_defaults:
    group/seed.comprehend.aws:
      profile: model-owner
      region: us-west-2
  block:
    - name: Share with the analytics account
      seed.comprehend.comprehend_resource_policy:
        resource_arn: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
        principals: ["444455556666"]
"""

RETURN = r"""
resources:
  description:
    - One item per model version, in the order given, an ARN given twice once; with O(resource_arn), one item.
    - When some model versions of O(resource_arns) failed after others were changed, the failed task returns the
      ones that were.
  returned: success; with O(resource_arns), also when some model versions failed
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    resource_arn:
      description: The model version ARN, as given.
      type: str
      sample: arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2
    changed:
      description: Whether the task changed (or in check mode would change) this model version's policy.
      type: bool
      sample: true
    policy:
      description:
        - The policy document attached after the task (in check mode, the one that would be), not snake-cased.
        - When nothing changed, the document as AWS returned it; after a write, the document the module wrote.
        - Null when no policy is attached.
      type: dict
      sample:
        Version: "2012-10-17"
        Statement:
          - Sid: ResourcePolicyForImportModel
            Effect: Allow
            Principal:
              AWS:
                - arn:aws:iam::123456789012:root
                - arn:aws:iam::444455556666:user/jane
            Action: comprehend:ImportModel
            Resource: "*"
    policy_revision_id:
      description:
        - The revision of the attached policy (after the write, if the module wrote).
        - Null when no policy is attached, and in check mode when a change would be made (the new revision only
          exists after a write).
      type: str
      sample: 0123456789abcdef0123456789abcdef
    principals:
      description:
        - The principals the statement with the Sid O(statement_id) names after the task, sorted.
        - Account IDs are given as C(root) ARNs.
        - Empty when the policy has no such statement.
      type: list
      elements: str
      sample:
        - arn:aws:iam::123456789012:root
        - arn:aws:iam::444455556666:user/jane
    diff:
      description: This model version's policy before and after the task; an empty dictionary stands for no policy.
      returned: when diff mode is on
      type: dict
      contains:
        before:
          description: The policy attached before the task (its raw text if it was not a JSON policy document).
          type: dict
          sample: {}
        after:
          description: The policy attached after the task, as RV(resources[].policy), or an empty dictionary.
          type: dict
resource_arn:
  description: Kept for compatibility with 0.1.0, with O(resource_arn) only; RV(resources[].resource_arn) of the only item.
  returned: with O(resource_arn)
  type: str
policy:
  description: Kept for compatibility with 0.1.0, with O(resource_arn) only; RV(resources[].policy) of the only item.
  returned: with O(resource_arn)
  type: dict
policy_revision_id:
  description:
    - Kept for compatibility with 0.1.0, with O(resource_arn) only; RV(resources[].policy_revision_id) of the only
      item.
  returned: with O(resource_arn)
  type: str
principals:
  description: Kept for compatibility with 0.1.0, with O(resource_arn) only; RV(resources[].principals) of the only item.
  returned: with O(resource_arn)
  type: list
  elements: str
diff:
  description:
    - The diff Ansible shows in diff mode (C(--diff)).
    - With O(resource_arn), RV(resources[].diff) of the only item.
    - With O(resource_arns), a list of RV(resources[].diff), one per model version, each with its ARN as
      C(before_header) and C(after_header).
  returned: when diff mode is on
  type: raw
"""

from typing import Any, Dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.comprehend.plugins.module_utils.aws import retrying_client
from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import converge_models
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import DEFAULT_STATEMENT_ID
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import PolicyRequest
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_requests
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import planned_without_policy
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import resources_result

ARGUMENT_SPEC = dict(
    resource_arn=dict(type="str", aliases=["model_arn"]),
    resource_arns=dict(type="list", elements="str", aliases=["model_arns"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    principals=dict(type="list", elements="str"),
    purge_principals=dict(type="bool", default=True),
    statement_id=dict(type="str", default=DEFAULT_STATEMENT_ID, aliases=["sid"]),
    policy=dict(type="json"),
    allow_wildcard_principal=dict(type="bool", default=False),
    planned_without_policy=dict(type="list", elements="str", default=[]),
)
MUTUALLY_EXCLUSIVE = [("principals", "policy"), ("resource_arn", "resource_arns")]
REQUIRED_ONE_OF = [("resource_arn", "resource_arns")]


def ensure(module: Any) -> Dict[str, Any]:
    requests = build_requests(module.params)  # every option of every model is checked before the first AWS call
    clients: Dict[str, Any] = {}  # one client per region the ARNs name

    def store_for(request: PolicyRequest) -> ModelPolicyStore:
        region = request.model.region
        if region not in clients:
            clients[region] = retrying_client(module, "comprehend", region=region)
        return ModelPolicyStore(clients[region], request.model)

    outcomes = converge_models([store_for(request) for request in requests], requests, module.check_mode,
                               planned_without_policy(module.params, requests))
    return resources_result(requests, outcomes, single_arn=module.params["resource_arns"] is None,
                            diff=module._diff)  # pylint: disable=protected-access


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=MUTUALLY_EXCLUSIVE,
        required_one_of=REQUIRED_ONE_OF,
        supports_check_mode=True,
    )
    run_module(module, lambda: ensure(module))


if __name__ == "__main__":
    main()
