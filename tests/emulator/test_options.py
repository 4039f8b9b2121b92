"""The control API's options: every switch, its default, refusals, reset; the two readings of the invented behaviours."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.client import EmulatorError
from emulator.testing import IMPORTER, OWNER, REGION, Aws, error_code, import_policy


def test_defaults_set_and_reset(control: Any) -> None:
    assert control.options() == {
        "missing_resource_policy": "not_found", "import_kms_identity": "data_access_role", "unversioned_copy_arn": "name_only",
        "stale_revision_message": "names_revision", "iam_propagation_seconds": 1.0,
    }
    changed = {"missing_resource_policy": "empty", "import_kms_identity": "forward_access", "unversioned_copy_arn": "generated_version",
               "stale_revision_message": "generic", "iam_propagation_seconds": 0}
    assert control.set_options(**changed) == {**changed, "iam_propagation_seconds": 0.0}
    control.reset()
    assert control.options()["import_kms_identity"] == "data_access_role"


@pytest.mark.parametrize("body", [
    {"import_kms_identity": "caller"}, {"unversioned_copy_arn": None}, {"stale_revision_message": 1},
    {"iam_propagation_seconds": -1}, {"iam_propagation_seconds": "1"}, {"iam_propagation_seconds": True}, {"nonsense": 1},
])
def test_bad_values_are_refused_and_change_nothing(control: Any, body: Any) -> None:
    with pytest.raises(EmulatorError) as refused:
        control.request("POST", "options", {"missing_resource_policy": "empty", **body})
    assert refused.value.status == 400
    assert control.options()["missing_resource_policy"] == "not_found"


def test_unversioned_copy_arn(aws: Aws, control: Any) -> None:
    source = aws.create_classifier(OWNER, name="news", ModelPolicy=import_policy(IMPORTER))
    comprehend = aws.client("comprehend", IMPORTER)
    prefix = f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier/"
    assert comprehend.import_model(SourceModelArn=source, ModelName="plain")["ModelArn"] == prefix + "plain"
    control.set_options(unversioned_copy_arn="generated_version")
    arn = comprehend.import_model(SourceModelArn=source, ModelName="generated")["ModelArn"]
    version = comprehend.describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"]["VersionName"]
    assert arn == f"{prefix}generated/version/{version}" and version.startswith("v")
    assert comprehend.import_model(SourceModelArn=source, ModelName="given", VersionName="v7")["ModelArn"] == prefix + "given/version/v7"


def test_stale_revision_message(aws: Aws, control: Any) -> None:
    model = aws.create_classifier(OWNER)
    comprehend = aws.client("comprehend", OWNER)
    comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=import_policy(IMPORTER))
    stale = "0" * 32
    for reading, wording in (("names_revision", "revision"), ("generic", "The request is invalid.")):
        control.set_options(stale_revision_message=reading)
        with pytest.raises(Exception) as refused:
            comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=import_policy(IMPORTER), PolicyRevisionId=stale)
        assert error_code(refused) == "InvalidRequestException"
        message = refused.value.response["Error"]["Message"]
        assert wording in message and (reading == "names_revision" or "revision" not in message)
