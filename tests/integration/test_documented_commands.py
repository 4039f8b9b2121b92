"""A user's first contact: the README's two commands as typed, the collection's share and import playbooks run from a
folder of the user's own with a relative handoff path (written by the owner's play, read by the importer's), and the
message a play without credentials gives."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from playbook_env import BIN, playbook_env


def run_from(folder: Path, playbook: str, variables: Dict[str, Any], *extra: str,
             env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """ansible-playbook seed.comprehend.PLAYBOOK *extra -e @vars.json, run in ``folder`` (``env`` added)."""
    vars_file = folder / f"{playbook}-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    command = [str(BIN / "ansible-playbook"), f"seed.comprehend.{playbook}", *extra, "-e", f"@{vars_file.name}"]
    return subprocess.run(command, cwd=folder, env=dict(playbook_env(folder), **(env or {})), capture_output=True, text=True,
                          check=False, timeout=600)


# The emulator's two readings of whose identity KMS sees during ImportModel (tests/emulator/README.md).
@pytest.mark.parametrize("identity", ["data_access_role", "forward_access"])
def test_share_and_import_with_a_relative_handoff_path_from_the_users_folder(aws, tmp_path, identity):
    aws.set_options(import_kms_identity=identity, iam_propagation_seconds=0.5)
    key_arn = aws.create_key(aws.owner)
    models = [aws.create_model(aws.owner, kms_key_id=key_arn), aws.create_model(aws.owner, "entity-recognizer")]
    folder = tmp_path / "my-share"
    folder.mkdir()

    share_vars = {"share_model_arns": models, "share_model_principals": [aws.importer.account_id],
                  "share_model_aws": aws.owner.connection}
    shared = run_from(folder, "share", share_vars, "-e", "share_model_handoff_path=handoff.json")
    assert shared.returncode == 0, shared.stdout + shared.stderr
    handoff = json.loads((folder / "handoff.json").read_text(encoding="utf-8"))
    assert sorted(entry["model_arn"] for entry in handoff) == sorted(models)

    imported = run_from(folder, "import", {"import_model_aws": aws.importer.connection, "import_model_poll_delay": 1},
                        "-e", "import_model_handoff_path=handoff.json")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    comprehend = aws.importer.client("comprehend")
    sources = [props["SourceModelArn"] for props in comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]]
    sources += [props["SourceModelArn"] for props in comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]]
    assert sorted(sources) == sorted(models)


def test_a_share_without_credentials_says_where_to_give_them(aws, tmp_path):
    model = aws.create_model(aws.owner)
    connection = {name: value for name, value in aws.owner.connection.items() if name in ("endpoint_url", "region")}
    folder = tmp_path / "no-credentials"
    folder.mkdir()
    # Nothing else to find credentials in: no instance metadata, no shared files.
    hermetic = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none"),
                "AWS_CONFIG_FILE": str(folder / "none")}
    aws.reset_calls()
    run = run_from(folder, "share", {"share_model_arns": [model], "share_model_principals": [aws.importer.account_id],
                                     "share_model_aws": connection}, env=hermetic)
    assert run.returncode != 0
    assert "no usable AWS credentials were found (NoCredentialsError)" in run.stdout, run.stdout
    assert "run again once AWS answers" not in run.stdout
    assert aws.write_calls() == []
