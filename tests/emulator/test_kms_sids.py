"""KMS key policies: each Sid once (see _kms.py's docstring for the AWS documents)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from botocore.exceptions import ClientError

from emulator.testing import OWNER, Aws, error_code

ADMIN = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
         "Action": "kms:*", "Resource": "*"}


def policy(*statements: Dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [ADMIN, *statements]})


def decrypt(sid: str = "") -> Dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Decrypt", "Resource": "*"}
    return {"Sid": sid, **statement} if sid else statement


@pytest.mark.parametrize("statements", [
    [dict(ADMIN)],
    [decrypt("Twice"), decrypt("Twice")],
    [decrypt("Twice"), dict(decrypt("Twice"), Action="kms:Encrypt")],
])
def test_duplicate_sids_are_malformed(aws: Aws, statements: List[Dict[str, Any]]) -> None:
    kms = aws.client("kms", OWNER)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    before = kms.get_key_policy(KeyId=key_id)["Policy"]
    for call in (lambda: kms.put_key_policy(KeyId=key_id, Policy=policy(*statements)),
                 lambda: kms.create_key(Policy=policy(*statements))):
        with pytest.raises(ClientError) as error:
            call()
        assert error_code(error) == "MalformedPolicyDocumentException" and "duplicate Sids" in str(error.value)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == before


def test_distinct_sids_and_statements_without_a_sid_are_accepted(aws: Aws) -> None:
    kms = aws.client("kms", OWNER)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    accepted = policy(decrypt("One"), decrypt("Two"), decrypt(), decrypt())
    kms.put_key_policy(KeyId=key_id, Policy=accepted)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == accepted
