"""`make demo`: the whole owner -> importer flow on the local AWS emulator, two accounts.

1. Starts the emulator and, in the owner account 111122223333, a trained document classifier under a customer
   managed KMS key and a trained entity recognizer under an AWS owned key.
2. Runs `ansible-playbook seed.comprehend.share` for the importer account 444455556666, prints the resource policies
   and key-policy statements it wrote and the handoff, runs it again to show changed=0 (and counts the write calls:
   none).
3. Runs `ansible-playbook seed.comprehend.import` as the importer with the handoff file and lists the copies.
4. Runs `ansible-playbook seed.comprehend.audit` as the owner: who can import which model version, and will it work;
   the shares the play made have no findings. It writes share-audit.md and share-audit.json into the work directory.

The work directory, with the handoff file and the audit, is kept after the run; the demo prints its path.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Tuple

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from emulator import client as control  # noqa: E402  pylint: disable=wrong-import-position
from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import BIN, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

REGION = "us-west-2"
OWNER, IMPORTER = "111122223333", "444455556666"


def session(url: str, account: str) -> boto3.Session:
    sts = boto3.client("sts", region_name=REGION, endpoint_url=url, aws_access_key_id="demo", aws_secret_access_key="demo")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/demo", RoleSessionName="demo")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


def connection(url: str, account_session: boto3.Session) -> dict:
    credentials = account_session.get_credentials()
    return {"endpoint_url": url, "region": REGION, "access_key": credentials.access_key,
            "secret_key": credentials.secret_key, "session_token": credentials.token}


def owner_models(url: str, owner: boto3.Session) -> Tuple[str, List[str]]:
    """A classifier under a customer managed key and a recognizer under an AWS owned key, both trained: the key's ARN
    and the models' ARNs."""
    key_arn = owner.client("kms", endpoint_url=url).create_key(Description="demo model key")["KeyMetadata"]["Arn"]
    comprehend = owner.client("comprehend", endpoint_url=url)
    role = f"arn:aws:iam::{OWNER}:role/comprehend-data-access"
    classifier = comprehend.create_document_classifier(
        DocumentClassifierName="support-tickets", VersionName="v1", LanguageCode="en", DataAccessRoleArn=role,
        ModelKmsKeyId=key_arn, InputDataConfig={"S3Uri": "s3://demo-training/tickets.csv"},
    )["DocumentClassifierArn"]
    recognizer = comprehend.create_entity_recognizer(
        RecognizerName="product-names", VersionName="v3", LanguageCode="en", DataAccessRoleArn=role,
        InputDataConfig={"EntityTypes": [{"Type": "PRODUCT"}], "Documents": {"S3Uri": "s3://demo-training/docs"}},
    )["EntityRecognizerArn"]
    for arn in (classifier, recognizer):
        control.set_model_status(url, arn, "TRAINED")
    print(f"owner {OWNER}: {classifier} (customer managed key {key_arn})")
    print(f"owner {OWNER}: {recognizer} (AWS owned key)")
    return key_arn, [classifier, recognizer]


def playbook(name: str, variables: dict, workdir: Path) -> None:
    vars_file = workdir / f"{name}-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    env = playbook_env(workdir)
    command = [str(BIN / "ansible-playbook"), f"seed.comprehend.{name}", "-e", f"@{vars_file}"]
    print(f"\n$ ansible-playbook seed.comprehend.{name} -e @{vars_file.name}", flush=True)
    # From the work directory, as a user runs it from their own folder: the handoff path is relative to it.
    subprocess.run(command, env=env, check=True, cwd=workdir)


def print_audit(workdir: Path) -> None:
    """A short summary of the audit the play wrote: each model version, who may import it, its key, the findings."""
    audit = json.loads((workdir / "share-audit.json").read_text(encoding="utf-8"))
    print(f"\nshare audit of account {audit['account']} ({', '.join(audit['regions'])}), taken at {audit['taken_at']}:")
    for model in audit["models"]:
        importers = ", ".join(entry["principal"] for entry in model["resource_policy_principals"]) or "nobody"
        key = model["encryption"]["kms_key_arn"] or "AWS owned key"
        print(f"  {model['arn']}\n    {model['status']}, may be imported by {importers}, key {key}")
    print(f"  {len(audit['findings'])} finding(s)")
    for finding in audit["findings"]:
        print(f"  [{finding['severity']}] {finding['type']}: {finding['message']}")
    print(f"report for people: {workdir / 'share-audit.md'}; for machines: {workdir / 'share-audit.json'}")


def compact(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"))


def print_what_was_written(url: str, owner: boto3.Session, key_arn: str, models: List[str]) -> None:
    """The resource policy of each model and the key-policy statements the share play added (Sid SeedComprehendImport...)."""
    comprehend = owner.client("comprehend", endpoint_url=url)
    print("\nresource policies written:")
    for arn in models:
        print(f"  {arn}\n    {compact(json.loads(comprehend.describe_resource_policy(ResourceArn=arn)['ResourcePolicy']))}")
    key_policy = json.loads(owner.client("kms", endpoint_url=url).get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    print(f"\nkey-policy statements written on {key_arn}:")
    for statement in key_policy["Statement"]:
        if str(statement.get("Sid", "")).startswith("SeedComprehendImport"):
            print(f"  {compact(statement)}")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="seed-comprehend-demo-"))  # kept: the user may read the handoff afterwards
    with Emulator() as emulator:
        url = emulator.url
        print(f"local AWS emulator at {url}")
        owner, importer = session(url, OWNER), session(url, IMPORTER)
        key_arn, models = owner_models(url, owner)
        handoff_path = workdir / "handoff.json"
        share_vars = {"share_model_arns": models, "share_model_principals": [IMPORTER],
                      "share_model_handoff_path": handoff_path.name, "share_model_aws": connection(url, owner)}

        playbook("share", share_vars, workdir)
        print_what_was_written(url, owner, key_arn, models)
        print(f"\nhandoff written for the importer to {handoff_path}:")
        print(handoff_path.read_text(encoding="utf-8"))

        control.reset_calls(url)
        playbook("share", share_vars, workdir)
        writes = control.write_calls(control.calls(url))
        print(f"\nrerun of the share play: {len(writes)} write calls to AWS")

        import_vars = {"import_model_handoff_path": handoff_path.name, "import_model_poll_delay": 1,
                       "import_model_aws": connection(url, importer)}
        playbook("import", import_vars, workdir)

        comprehend = importer.client("comprehend", endpoint_url=url)
        print(f"\nmodels in the importer account {IMPORTER}:")
        for props in comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]:
            print(f"  {props['DocumentClassifierArn']}  {props['Status']}  from {props.get('SourceModelArn')}")
        for props in comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]:
            print(f"  {props['EntityRecognizerArn']}  {props['Status']}  from {props.get('SourceModelArn')}")

        # The report goes into the current directory (audit_shares_report_dir's default), the user's folder.
        playbook("audit", {"audit_shares_aws": connection(url, owner)}, workdir)
        print_audit(workdir)
    print(f"\nemulator stopped; demo done. The handoff file and the audit are kept in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
