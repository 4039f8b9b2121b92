"""Integration harness: real ansible-playbook runs against the local AWS emulator, two accounts.

Each pytest worker starts its own emulator on a free port; every test starts from a clean emulator.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import boto3
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from emulator import client as control  # noqa: E402  pylint: disable=wrong-import-position
from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import BIN, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

REGION = "us-west-2"
OWNER_ID = "111122223333"
IMPORTER_ID = "444455556666"
PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"


def default_key_policy(account_id: str) -> Dict[str, Any]:
    """The policy AWS gives a key created without one."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }


@dataclass
class Account:
    """One emulated AWS account, reached with credentials from sts:AssumeRole."""

    account_id: str
    url: str
    credentials: Dict[str, str]
    region: str = REGION

    @property
    def connection(self) -> Dict[str, str]:
        """The amazon.aws connection options, for module_defaults of group/seed.comprehend.aws."""
        return {
            "endpoint_url": self.url,
            "access_key": self.credentials["AccessKeyId"],
            "secret_key": self.credentials["SecretAccessKey"],
            "session_token": self.credentials["SessionToken"],
            "region": self.region,
        }

    def client(self, service: str, region: Optional[str] = None) -> Any:
        return boto3.client(
            service,
            region_name=region or self.region,
            endpoint_url=self.url,
            aws_access_key_id=self.credentials["AccessKeyId"],
            aws_secret_access_key=self.credentials["SecretAccessKey"],
            aws_session_token=self.credentials["SessionToken"],
            config=Config(retries={"max_attempts": 1}),
        )


# The tests act in each account as this role, an administrator as on a real account: under the emulator's
# forward-access reading, KMS checks the ImportModel caller's own IAM policies too.
OPERATOR_ROLE = "seed-comprehend-tests"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _session(url: str, role_arn: str, credentials: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    keys = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    sts = boto3.client("sts", region_name=REGION, endpoint_url=url, aws_access_key_id=keys["AccessKeyId"],
                       aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys.get("SessionToken"))
    return sts.assume_role(RoleArn=role_arn, RoleSessionName="tests")["Credentials"]


def assume_account(url: str, account_id: str) -> Account:
    """Create the operator role in ``account_id`` and act as a session of it.

    moto lets anyone assume a role that doesn't exist; such a session only serves to create the real one.
    """
    bootstrap = Account(account_id, url, _session(url, f"arn:aws:iam::{account_id}:role/seed-comprehend-bootstrap"))
    iam = bootstrap.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=OPERATOR_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=OPERATOR_ROLE, PolicyName="administrator", PolicyDocument=json.dumps(ADMIN_POLICY))
    return Account(account_id=account_id, url=url, credentials=_session(url, role, bootstrap.credentials))


@dataclass
class AwsWorld:
    """The emulated AWS of one test: an owner and an importer account, the call log, fault injection."""

    url: str
    owner: Account
    importer: Account
    region: str = REGION
    _counter: List[int] = field(default_factory=lambda: [0])

    def calls(self) -> List[Dict[str, Any]]:
        return control.calls(self.url)

    def write_calls(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        writes = control.write_calls(control.calls(self.url))
        return [call for call in writes if account_id is None or call["account"] == account_id]

    def reset_calls(self) -> None:
        control.reset_calls(self.url)

    def set_faults(self, rate: float, operations: Optional[List[str]] = None, seed: int = 1) -> None:
        control.set_faults(self.url, rate=rate, operations=operations, seed=seed)

    def set_model_status(self, arn: str, status: str, message: Optional[str] = None) -> None:
        control.set_model_status(self.url, arn, status, message)

    def set_options(self, **options: Any) -> Dict[str, Any]:
        """Pick the emulator's reading of behaviours AWS doesn't document (tests/emulator/README.md)."""
        return control.set_options(self.url, **options)

    def create_role(self, account: Account, name: str, path: str = "/", trust: Optional[Dict[str, Any]] = None,
                    policy: Optional[Dict[str, Any]] = None) -> str:
        """An IAM role of ``account`` (trusting the account itself unless ``trust`` says otherwise); its ARN."""
        iam = account.client("iam")
        trust = trust or {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.account_id}:root"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        if policy is not None:
            iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=json.dumps(policy))
        return arn

    def create_user(self, account: Account, name: str, path: str = "/") -> str:
        """An IAM user of ``account``; its ARN."""
        return account.client("iam").create_user(UserName=name, Path=path)["User"]["Arn"]

    def create_key(self, account: Account, policy: Optional[Dict[str, Any]] = None) -> str:
        kms = account.client("kms")
        document = policy if policy is not None else default_key_policy(account.account_id)
        return kms.create_key(Policy=json.dumps(document), Description="seed.comprehend test key")["KeyMetadata"]["Arn"]

    def create_model(self, account: Account, model_type: str = "document-classifier", name: Optional[str] = None,
                     version: Optional[str] = None, kms_key_id: Optional[str] = None, status: str = "TRAINED",
                     policy: Optional[Dict[str, Any]] = None) -> str:
        """Create a model through the real API, then give it its status at once."""
        self._counter[0] += 1
        name = name or f"model{self._counter[0]}"
        comprehend = account.client("comprehend")
        request: Dict[str, Any] = {
            "DataAccessRoleArn": f"arn:aws:iam::{account.account_id}:role/comprehend-data-access",
            "LanguageCode": "en",
        }
        if version:
            request["VersionName"] = version
        if kms_key_id:
            request["ModelKmsKeyId"] = kms_key_id
        if policy is not None:
            request["ModelPolicy"] = json.dumps(policy)
        if model_type == "document-classifier":
            arn = comprehend.create_document_classifier(
                DocumentClassifierName=name, InputDataConfig={"S3Uri": "s3://seed-comprehend-tests/train.csv"}, **request,
            )["DocumentClassifierArn"]
        else:
            arn = comprehend.create_entity_recognizer(
                RecognizerName=name,
                InputDataConfig={"EntityTypes": [{"Type": "PERSON"}], "Documents": {"S3Uri": "s3://seed-comprehend-tests/docs"}},
                **request,
            )["EntityRecognizerArn"]
        self.set_model_status(arn, status)
        return arn


@pytest.fixture(scope="session")
def emulator():
    with Emulator() as running:
        yield running


@pytest.fixture
def aws(emulator) -> AwsWorld:  # pylint: disable=redefined-outer-name
    emulator.reset()
    world = AwsWorld(url=emulator.url, owner=assume_account(emulator.url, OWNER_ID),
                     importer=assume_account(emulator.url, IMPORTER_ID))
    world.reset_calls()
    return world


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    output_dir: Path

    def result(self, name: str) -> Any:
        return json.loads((self.output_dir / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def playbook(aws, tmp_path):  # pylint: disable=redefined-outer-name
    """Run a playbook from tests/integration/playbooks as one account; returns a PlaybookRun."""
    env = playbook_env(tmp_path)

    def run(path: str, account: Optional[Account] = None, check: bool = False, diff: bool = False,
            **extra_vars: Any) -> PlaybookRun:
        output_dir = tmp_path / f"run{len(list(tmp_path.glob('run*')))}"
        output_dir.mkdir()
        variables = {"aws_connection": (account or aws.owner).connection, "output_dir": str(output_dir)}
        variables.update(extra_vars)
        vars_file = output_dir / "extra-vars.json"
        vars_file.write_text(json.dumps(variables), encoding="utf-8")
        command = [str(BIN / "ansible-playbook"), str(PLAYBOOKS / path), "-e", f"@{vars_file}"]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=600)
        return PlaybookRun(rc=completed.returncode, stdout=completed.stdout + completed.stderr, output_dir=output_dir)

    return run


def pytest_sessionfinish(session, exitstatus):
    """A run that skipped any integration test fails: a skip would hide a behaviour nobody checked."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} integration test(s) skipped: failing the run", red=True)
        session.exitstatus = 1
