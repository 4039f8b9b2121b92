"""The owner's and the importer's scenarios, run as real plays against the emulator, for the IAM policy tests.

A *world* is one scenario in accounts of its own, so that many worlds can run at once and the emulator's call log,
filtered by account, tells which calls each step of each world made:

* share world: in owner account O, a classifier under a customer managed key and a recognizer under an AWS owned key;
  steps ``share`` (``ansible-playbook seed.comprehend.share``) and ``unshare`` (the same with state absent).
* import world: in importer account A, the importer imports both models of the source owner account (shared with A
  beforehand), re-encrypted with its own key: step ``import``, which creates the service role, then ``import again``,
  which must change nothing; or step ``update``, in an account where someone left the service role edited by hand
  (description, trust policy, key policy), which the play puts right.
* audit world: in owner account O, both models shared by O's admin; step ``audit``
  (``ansible-playbook seed.comprehend.audit``, read only), then ``fix``: the classifier unshared by hand and shared by
  hand with a third account, and the audit again with ``audit_shares_fix``, which revokes and grants key access.

Placeholders of the policy files (docs/iam/*.json) are replaced by a world's accounts before they are attached.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from emulator.client import EmulatorClient, write_calls  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import playbook_env  # noqa: E402  pylint: disable=wrong-import-position

REGION = "us-west-2"
OWNER_PLACEHOLDER = "111122223333"
IMPORTER_PLACEHOLDER = "444455556666"
ROLE_NAME = "seed-comprehend-import"  # the import_model role's default import_model_role_name
POLICY_DIR = REPO / "docs" / "iam"
SHARE_POLICY = POLICY_DIR / "share-operator-policy.json"
IMPORT_POLICY = POLICY_DIR / "import-operator-policy.json"
AUDIT_POLICY = POLICY_DIR / "audit-operator-policy.json"
BIN = Path(sys.executable).parent
SHARE_STEPS = ("share", "unshare")
IMPORT_STEPS = ("import", "import again", "update")
AUDIT_STEPS = ("audit", "fix")
# Actions that name no resource: the Service Authorization Reference lists no resource type for them, and "If there is
# no value for this column, you must specify all resources ("*")" (Actions, resources, and condition keys for Amazon
# Comprehend).
UNSCOPED_ACTIONS = {"comprehend:ListDocumentClassifiers", "comprehend:ListEntityRecognizers"}
# Permissions that no call of their own shows, and the call that needs them.
# ImportModel checks iam:PassRole for DataAccessRoleArn; under forward access (the emulator's reading that these tests
# run under, see tests/emulator/README.md) it uses the source key with the caller's own KMS permissions.
IMPLICIT_PERMISSIONS = {action: "comprehend:ImportModel"
                        for action in ("iam:PassRole", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")}
# The reading of the emulator that asks the most of the import operator's own policy.
EMULATOR_OPTIONS = {"import_kms_identity": "forward_access"}
# Calls that need no permission: AWS answers sts:GetCallerIdentity whatever the caller's policies say.
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}
# Calls a play makes that may be refused: amazon.aws.aws_caller_info asks for the account's alias and goes on
# without it (the import role uses it for the account ID of the service role's trust condition).
TOLERATED_REFUSALS = {"iam:ListAccountAliases"}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# The one key policy of the 0.1.0 service role; the update scenario purges it (import_model_purge_role_keys).
LEGACY_ROLE_POLICY_NAME = "seed-comprehend-model-keys"
# The owner's two models: a classifier under a customer managed key, a recognizer under an AWS owned key.
MODEL_KINDS = ("classifier", "recognizer")
MODEL_TYPES = {"classifier": "document_classifier", "recognizer": "entity_recognizer"}  # the inline policy the import_model role puts on the service role
# What an operator could find after someone edited the role by hand: another trust policy, an out-of-date key policy.
TAMPERED_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
STALE_ROLE_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-west-2:210000000000:key/retired"}]}


def load_policy(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def policy_actions(policy: Dict[str, Any]) -> List[str]:
    actions: List[str] = []
    for statement in policy["Statement"]:
        listed = statement["Action"]
        actions.extend([listed] if isinstance(listed, str) else listed)
    return sorted(set(actions))


def without_action(policy: Dict[str, Any], action: str) -> Dict[str, Any]:
    """The policy less one action (a statement left with no action goes)."""
    statements = []
    for statement in policy["Statement"]:
        listed = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        kept = [name for name in listed if name != action]
        if kept:
            statements.append(dict(statement, Action=kept))
    return dict(policy, Statement=statements)


def for_accounts(policy: Dict[str, Any], owner: str, importer: Optional[str] = None) -> str:
    """The policy text with the placeholder account IDs replaced by a world's accounts."""
    text = json.dumps(policy).replace(OWNER_PLACEHOLDER, owner)
    return text.replace(IMPORTER_PLACEHOLDER, importer) if importer else text


def call_action(call: Dict[str, Any]) -> str:
    """The IAM action of a call log entry: ``comprehend:DescribeDocumentClassifier``."""
    return f"{call['service']}:{call['operation']}"


class Emulated:
    """boto3 clients for the emulator, as any account's admin, retries off.

    An account's admin is an IAM user allowed everything, so that it keeps working while the emulator enforces IAM;
    it is created through moto's sts:AssumeRole, which only works while enforcement is off: call ``admin`` for every
    account before switching it on.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.control = EmulatorClient(url)
        self._admins: Dict[str, Dict[str, str]] = {}
        self._lock = threading.Lock()

    def admin(self, account: str) -> Dict[str, str]:
        with self._lock:
            if account not in self._admins:
                sts = boto3.client("sts", region_name=REGION, endpoint_url=self.url, aws_access_key_id="testing",
                                   aws_secret_access_key="testing")
                found = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/admin", RoleSessionName="docs-tests")["Credentials"]
                iam = self.client("iam", {"aws_access_key_id": found["AccessKeyId"], "aws_secret_access_key": found["SecretAccessKey"],
                                          "aws_session_token": found["SessionToken"]})
                iam.create_user(UserName="docs-admin")
                iam.put_user_policy(UserName="docs-admin", PolicyName="everything", PolicyDocument=json.dumps(ALLOW_ALL))
                key = iam.create_access_key(UserName="docs-admin")["AccessKey"]
                self._admins[account] = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
            return self._admins[account]

    def client(self, service: str, credentials: Dict[str, str]) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.url,
                            config=Config(retries={"total_max_attempts": 1}), **credentials)

    def user(self, account: str, name: str, policy_text: str) -> Dict[str, str]:
        """An IAM user of ``account`` holding exactly one inline policy; its access key as boto3 arguments."""
        iam = self.client("iam", self.admin(account))
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="operator", PolicyDocument=policy_text)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def connection(self, credentials: Dict[str, str]) -> Dict[str, str]:
        """The role variables' AWS connection (share_model_aws / import_model_aws) for these credentials."""
        connection = {"endpoint_url": self.url, "region": REGION, "access_key": credentials["aws_access_key_id"],
                      "secret_key": credentials["aws_secret_access_key"]}
        if credentials.get("aws_session_token"):
            connection["session_token"] = credentials["aws_session_token"]
        return connection

    def owner_models(self, account: str, prefix: str) -> Dict[str, str]:
        """A trained classifier under a new customer managed key and a trained recognizer under an AWS owned key."""
        admin = self.admin(account)
        key = self.client("kms", admin).create_key(Description=f"{prefix} model key")["KeyMetadata"]["Arn"]
        comprehend = self.client("comprehend", admin)
        common = {"LanguageCode": "en", "DataAccessRoleArn": f"arn:aws:iam::{account}:role/comprehend-data-access"}
        classifier = comprehend.create_document_classifier(
            DocumentClassifierName=f"{prefix}-tickets", VersionName="v1", ModelKmsKeyId=key,
            InputDataConfig={"S3Uri": "s3://docs-tests/tickets.csv"}, **common)["DocumentClassifierArn"]
        recognizer = comprehend.create_entity_recognizer(
            RecognizerName=f"{prefix}-products", VersionName="v3",
            InputDataConfig={"EntityTypes": [{"Type": "PRODUCT"}], "Documents": {"S3Uri": "s3://docs-tests/docs"}},
            **common)["EntityRecognizerArn"]
        for arn in (classifier, recognizer):
            self.control.set_model_status(arn, "TRAINED")
        return {"classifier": classifier, "recognizer": recognizer, "key": key}


@dataclass
class StepResult:
    name: str
    rc: int
    output: str
    calls: List[Dict[str, Any]] = field(default_factory=list)  # this step's calls in the world's account

    @property
    def actions(self) -> List[str]:
        return sorted({call_action(call) for call in self.calls})

    @property
    def writes(self) -> List[str]:
        """The actions of the calls that changed something (Put*, Create*, Update*... answered with success)."""
        return sorted({call_action(call) for call in write_calls(self.calls) if call["status"] < 300})


def run_playbook(playbook: str, variables: Dict[str, Any], workdir: Path) -> Tuple[int, str]:
    """``ansible-playbook seed.comprehend.PLAYBOOK -e @vars.json``, as a user runs it."""
    workdir.mkdir(parents=True, exist_ok=True)
    vars_file = workdir / f"{playbook}-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    env = dict(playbook_env(workdir), ANSIBLE_PIPELINING="true")
    completed = subprocess.run([str(BIN / "ansible-playbook"), f"seed.comprehend.{playbook}", "-e", f"@{vars_file}"],
                               env=env, capture_output=True, text=True, check=False, timeout=300)
    return completed.returncode, completed.stdout + completed.stderr


@dataclass
class World:
    """One scenario in accounts of its own; ``steps`` run in order until one fails or ``until`` is done.

    With ``rerun``, a last step that succeeded runs once more, as ``NAME again``: the second run of a play.
    """

    name: str
    account: str  # the account whose calls are this world's (owner for share worlds, importer for import worlds)
    steps: List[Tuple[str, Callable[[Path], Tuple[int, str]]]]

    def run(self, emulator: Emulated, workdir: Path, until: Optional[str] = None, rerun: bool = False) -> List[StepResult]:
        results: List[StepResult] = []
        for name, step in self.steps:
            results.append(self._step(emulator, workdir, name, step))
            if results[-1].rc != 0 or name == until:
                break
        if rerun and results[-1].rc == 0:
            name, step = next((name, step) for name, step in self.steps if name == results[-1].name)
            results.append(self._step(emulator, workdir, f"{name} again", step))
        return results

    def _step(self, emulator: Emulated, workdir: Path, name: str, step: Callable[[Path], Tuple[int, str]]) -> StepResult:
        start = len(emulator.control.calls())
        rc, output = step(workdir / self.name / name.replace(" ", "-"))
        calls = [call for call in emulator.control.calls()[start:] if call["account"] == self.account]
        return StepResult(name, rc, output, calls)


def share_world(emulator: Emulated, name: str, owner: str, policy_text: Optional[str],
                kinds: Sequence[str] = MODEL_KINDS) -> World:
    """The owner's scenario in account ``owner``, as an IAM user holding ``policy_text`` (None: the admin).

    ``kinds``: which of the two models (``classifier``, ``recognizer``) to share.
    """
    models = emulator.owner_models(owner, name)
    credentials = emulator.user(owner, f"{name}-operator", policy_text) if policy_text else emulator.admin(owner)
    variables = {"share_model_arns": [models[kind] for kind in kinds],
                 "share_model_principals": [IMPORTER_PLACEHOLDER], "share_model_aws": emulator.connection(credentials)}

    def share(workdir: Path) -> Tuple[int, str]:
        return run_playbook("share", dict(variables, share_model_handoff_path=str(workdir / "handoff.json")), workdir)

    def unshare(workdir: Path) -> Tuple[int, str]:
        return run_playbook("share", dict(variables, share_model_state="absent"), workdir)

    return World(name, owner, [("share", share), ("unshare", unshare)])


def import_world(emulator: Emulated, name: str, importer: str, handoff: Path, policy_text: Optional[str],
                 stale_role: bool = False, kinds: Sequence[str] = MODEL_KINDS) -> World:
    """The importer's scenario in account ``importer``, from a handoff that already names it: one import step.

    With ``stale_role``, the service role already exists as someone left it after editing it by hand (another
    description, another trust policy, an out-of-date key policy of 0.1.0): the step is ``update`` instead of
    ``import``, and purges that key policy.
    With both ``kinds``, the play reads the handoff file; with one, it gets that model's handoff entry as a variable.
    """
    admin = emulator.admin(importer)
    own_key = emulator.client("kms", admin).create_key(Description="importer's key for the copies")["KeyMetadata"]["Arn"]
    if stale_role:
        iam = emulator.client("iam", admin)
        iam.create_role(RoleName=ROLE_NAME, Description="edited by hand", AssumeRolePolicyDocument=json.dumps(TAMPERED_TRUST))
        iam.put_role_policy(RoleName=ROLE_NAME, PolicyName=LEGACY_ROLE_POLICY_NAME, PolicyDocument=json.dumps(STALE_ROLE_POLICY))
    credentials = emulator.user(importer, f"{name}-operator", policy_text) if policy_text else admin
    variables: Dict[str, Any] = {"import_model_kms_key_arn": own_key, "import_model_poll_delay": 1,
                                 "import_model_aws": emulator.connection(credentials)}
    if stale_role:
        variables["import_model_purge_role_keys"] = True
    if set(kinds) == set(MODEL_KINDS):
        variables["import_model_handoff_path"] = str(handoff)
    else:
        types = {MODEL_TYPES[kind] for kind in kinds}
        variables["import_model_handoff"] = [entry for entry in json.loads(handoff.read_text(encoding="utf-8"))
                                             if entry["model_type"] in types]

    def run_import(workdir: Path) -> Tuple[int, str]:
        return run_playbook("import", variables, workdir)

    return World(name, importer, [("update", run_import)] if stale_role else [("import", run_import), ("import again", run_import)])


def merged(*policy_texts: str) -> str:
    """One policy with the statements of several (an IAM user holding them all, in one inline policy)."""
    documents = [json.loads(text) for text in policy_texts]
    return json.dumps({"Version": "2012-10-17", "Statement": [statement for document in documents for statement in document["Statement"]]})


def audit_world(emulator: Emulated, name: str, owner: str, policy_text: str, workdir: Path,
                fix_policy_text: Optional[str] = None) -> World:
    """The owner's audit in account ``owner``, of both models shared by the owner's admin, then drifted by hand: the
    classifier unshared from the importer and shared with a third account instead (its key grant stale, and missing).

    Steps: ``audit`` as an IAM user holding ``policy_text`` (audit_shares_fail_on none: the findings are expected), then
    ``fix``, the audit with audit_shares_fix as one holding ``fix_policy_text``. A step's output ends with the
    share-audit.json and share-audit.md it wrote: a read the policy refuses is reported there.
    """
    models = emulator.owner_models(owner, name)
    admin = emulator.admin(owner)
    rc, output = run_playbook("share", {"share_model_arns": [models["classifier"], models["recognizer"]],
                                        "share_model_principals": [IMPORTER_PLACEHOLDER],
                                        "share_model_aws": emulator.connection(admin)}, workdir / name / "setup")
    if rc != 0:
        raise AssertionError(f"sharing the models to audit failed:\n{output}")
    comprehend = emulator.client("comprehend", admin)
    by_hand = {"Version": "2012-10-17", "Statement": [{"Sid": "ByHand", "Effect": "Allow", "Action": "comprehend:ImportModel",
                                                       "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Resource": "*"}]}
    comprehend.delete_resource_policy(ResourceArn=models["classifier"])
    comprehend.put_resource_policy(ResourceArn=models["classifier"], ResourcePolicy=json.dumps(by_hand))
    auditor = emulator.connection(emulator.user(owner, f"{name}-auditor", policy_text))
    fixer = emulator.connection(emulator.user(owner, f"{name}-fixer", fix_policy_text)) if fix_policy_text else auditor

    def audit_as(connection: Dict[str, str], **variables: Any) -> Callable[[Path], Tuple[int, str]]:
        def step(step_dir: Path) -> Tuple[int, str]:
            rc, output = run_playbook("audit", dict(variables, audit_shares_aws=connection, audit_shares_report_dir=str(step_dir)),
                                      step_dir)
            reports = [step_dir / name for name in ("share-audit.json", "share-audit.md")]
            return rc, "\n".join([output] + [report.read_text(encoding="utf-8") for report in reports if report.exists()])
        return step

    return World(name, owner, [("audit", audit_as(auditor, audit_shares_fail_on="none")),
                               ("fix", audit_as(fixer, audit_shares_fix=True))])


def share_source(emulator: Emulated, owner: str, importers: Sequence[str], workdir: Path) -> Path:
    """Share the source owner's models with every importer account (as the owner's admin); return the handoff."""
    models = emulator.owner_models(owner, "source")
    handoff = workdir / "source-handoff.json"
    variables = {"share_model_arns": [models["classifier"], models["recognizer"]],
                 "share_model_principals": list(importers), "share_model_handoff_path": str(handoff),
                 "share_model_aws": emulator.connection(emulator.admin(owner))}
    rc, output = run_playbook("share", variables, workdir / "source")
    if rc != 0:
        raise AssertionError(f"sharing the source models failed:\n{output}")
    return handoff


def temporary_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="seed-comprehend-docs-"))
