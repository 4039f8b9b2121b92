"""The README's two commands as a user types them: the collection's share and import playbooks, run from a folder of
the user's own with a relative handoff path (written by the owner's play, read by the importer's)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict

import pytest
from playbook_env import BIN, playbook_env


def run_from(folder: Path, playbook: str, variables: Dict[str, Any], *extra: str) -> subprocess.CompletedProcess:
    """ansible-playbook seed.comprehend.PLAYBOOK *extra -e @vars.json, run in ``folder``."""
    vars_file = folder / f"{playbook}-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    command = [str(BIN / "ansible-playbook"), f"seed.comprehend.{playbook}", *extra, "-e", f"@{vars_file.name}"]
    return subprocess.run(command, cwd=folder, env=playbook_env(folder), capture_output=True, text=True, check=False,
                          timeout=600)


# The emulator's two readings of whose identity KMS sees during ImportModel (tests/emulator/README.md).
@pytest.mark.parametrize("identity", ["data_access_role", "forward_access"])
def test_share_and_import_with_a_relative_handoff_path_from_the_users_folder(aws, tmp_path, identity):
    aws.set_options(import_kms_identity=identity, iam_propagation_seconds=0.5)
    key_arn = aws.create_key(aws.owner)
    models = [aws.create_model(aws.owner, kms_key_id=key_arn), aws.create_model(aws.owner, "entity-recognizer")]
    folder = tmp_path / "my-share"
    folder.mkdir()

    shared = run_from(folder, "share", {"share_model_arns": models, "share_model_principals": [aws.importer.account_id],
                                         "share_model_aws": aws.owner.connection},
                      "-e", "share_model_handoff_path=handoff.json")
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
