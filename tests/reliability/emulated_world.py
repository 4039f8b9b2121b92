"""The AWS the module fuzzing runs against: the emulator, set up once per test, and put back after each case.

The owner's account holds trained model versions under each kind of key (AWS owned, customer managed, AWS managed),
one still training, one without a version, with no resource policy, someone else's, or one that shares them with the
importer; a customer managed key (also behind an alias), whose policy lets the importer's account use it. The
importer's account holds its own key, a data access role that may use both keys, and the IAM user and role the
generated principals name. Any other model, key or IAM identity does not exist.

Each case must meet the same world, so that a failing case fails again when hypothesis replays it: after a case
that AWS served a write for, ``restore`` puts back what that kind of write changes. Between cases the emulator's
call log is empty (module_runner.run_module).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from emulator.client import write_calls
from helpers import FOREIGN_MODEL_STATEMENT, IMPORTER, IMPORTER_ROOT, OWNER, REGION
from integration.conftest import default_key_policy

# The keys' IDs are random, the strategies are built before the keys exist: they name them by these stand-ins,
# which ``EmulatedWorld.real`` replaces in the generated arguments.
OWNER_KEY_STAND_IN = "1234abcd-12ab-34cd-56ef-1234567890ab"
IMPORTER_KEY_STAND_IN = "abcd1234-0000-1111-2222-333344445555"
OWNER_KEY_ALIAS = "alias/comprehend-models"
DATA_ACCESS_ROLE = "seed-comprehend-import"
# IAM identities of the importer's account that the generated principals name.
IMPORTER_USER = f"arn:aws:iam::{IMPORTER}:user/jane"
IMPORTER_ROLE = f"arn:aws:iam::{IMPORTER}:role/team/Importer"
SHARED_WITH_IMPORTER = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
    "Principal": {"AWS": [IMPORTER_ROOT, "arn:aws:iam::123456789012:root"]}}]}
SOMEONE_ELSES = {"Version": "2012-10-17", "Statement": [FOREIGN_MODEL_STATEMENT]}
KMS_ACTIONS_FOR_IMPORT = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


@dataclass(frozen=True)
class ModelSpec:
    """One model version of the owner's account."""

    kind: str
    name: str
    version: Optional[str]
    policy: Optional[Dict[str, Any]] = None
    key: str = "aws_owned"  # or customer_managed, aws_managed
    status: str = "TRAINED"

    @property
    def arn(self) -> str:
        version = f"/version/{self.version}" if self.version else ""
        return f"arn:aws:comprehend:{REGION}:{OWNER}:{self.kind}/{self.name}{version}"


MODELS = (
    ModelSpec("document-classifier", "tickets", "v1"),
    ModelSpec("document-classifier", "tickets", "v2", policy=SOMEONE_ELSES),
    ModelSpec("entity-recognizer", "people", "v1", policy=SHARED_WITH_IMPORTER),
    ModelSpec("document-classifier", "plain", None, policy=SHARED_WITH_IMPORTER),
    ModelSpec("document-classifier", "cmk1", "v1", policy=SHARED_WITH_IMPORTER, key="customer_managed"),
    ModelSpec("entity-recognizer", "cmk2", "v1", key="customer_managed"),
    ModelSpec("document-classifier", "managed1", "v1", key="aws_managed"),
    ModelSpec("document-classifier", "training1", "v1", status="TRAINING"),
)
MODEL_ARNS = [model.arn for model in MODELS]
# Who may call what on the world's keys, besides the owner's root.
IMPORTER_USE = {"Sid": "ImporterUse", "Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Action": KMS_ACTIONS_FOR_IMPORT,
                "Resource": "*"}


@dataclass
class EmulatedWorld:
    """The world of one test: the emulator's two accounts, and what ``restore`` puts back."""

    aws: Any  # integration.conftest.AwsWorld
    owner_key_arn: str
    importer_key_arn: str
    key_policy: str
    _clients: Dict[str, Any] = field(default_factory=dict)

    def real(self, value: Any) -> Any:
        """``value`` with the keys' stand-in IDs replaced by their IDs, in every string and key, however nested."""
        if isinstance(value, str):
            return value.replace(OWNER_KEY_STAND_IN, self.owner_key_arn.rsplit("/", 1)[1]).replace(
                IMPORTER_KEY_STAND_IN, self.importer_key_arn.rsplit("/", 1)[1])
        if isinstance(value, dict):
            return {self.real(key): self.real(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.real(item) for item in value]
        return value

    def client(self, account: Any, service: str) -> Any:
        key = f"{account.account_id}:{service}"
        if key not in self._clients:
            self._clients[key] = account.client(service)
        return self._clients[key]

    def restore(self, calls: List[Dict[str, Any]]) -> None:
        """Put back what the writes AWS served in ``calls`` changed."""
        served = {call["operation"] for call in write_calls(calls) if call["status"] < 400}
        undo = {"PutResourcePolicy": self._restore_model_policies, "DeleteResourcePolicy": self._restore_model_policies,
                "PutKeyPolicy": self._restore_key_policy, "ImportModel": self._delete_copies}
        unknown = served - set(undo)
        assert not unknown, f"a case made writes the world can't undo: {sorted(unknown)}"
        for action in {undo[operation] for operation in served}:
            action()
        if served:
            self.aws.reset_calls()  # the next case starts with an empty call log

    def _restore_model_policies(self) -> None:
        comprehend = self.client(self.aws.owner, "comprehend")
        for model in MODELS:
            if model.policy is not None:
                comprehend.put_resource_policy(ResourceArn=model.arn, ResourcePolicy=json.dumps(model.policy))
                continue
            try:
                comprehend.delete_resource_policy(ResourceArn=model.arn)
            except comprehend.exceptions.ResourceNotFoundException:
                pass  # it had none

    def _restore_key_policy(self) -> None:
        self.client(self.aws.owner, "kms").put_key_policy(KeyId=self.owner_key_arn, PolicyName="default", Policy=self.key_policy)

    def _delete_copies(self) -> None:
        comprehend = self.client(self.aws.importer, "comprehend")
        for copy in comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]:
            comprehend.delete_document_classifier(DocumentClassifierArn=copy["DocumentClassifierArn"])
        for copy in comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]:
            comprehend.delete_entity_recognizer(EntityRecognizerArn=copy["EntityRecognizerArn"])


def build_world(aws: Any) -> EmulatedWorld:
    """Create the world in the emulator of ``aws`` (the integration suite's fixture, fresh for each test)."""
    aws.set_options(iam_propagation_seconds=0)  # the identities are used at once; IAM's delay is tested elsewhere
    key_policy = default_key_policy(OWNER)
    key_policy["Statement"].append(IMPORTER_USE)
    owner_key = aws.create_key(aws.owner, key_policy)
    aws.owner.client("kms").create_alias(AliasName=OWNER_KEY_ALIAS, TargetKeyId=owner_key)
    importer_key = aws.create_key(aws.importer)
    keys = {"aws_owned": None, "customer_managed": owner_key, "aws_managed": "alias/aws/comprehend"}
    for model in MODELS:
        aws.create_model(aws.owner, model_type=model.kind, name=model.name, version=model.version, kms_key_id=keys[model.key],
                         status=model.status, policy=model.policy)
    aws.create_user(aws.importer, "jane")
    aws.create_role(aws.importer, "Importer", path="/team/")
    aws.create_role(aws.importer, DATA_ACCESS_ROLE,
                    trust={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "comprehend.amazonaws.com"},
                                                                   "Action": "sts:AssumeRole"}]},
                    policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": KMS_ACTIONS_FOR_IMPORT,
                                                                    "Resource": [owner_key, importer_key]}]})
    aws.reset_calls()
    return EmulatedWorld(aws, owner_key, importer_key, json.dumps(key_policy))
