"""The sharing benchmark's floor: only the calls a safe first share of model versions with one account needs, with
plain boto3, `workers` at a time.

Per model version: DescribeDocumentClassifier (its status and key), then, once every model and key has been checked,
DescribeResourcePolicy and PutResourcePolicy (with the PolicyRevisionId it read, so that a concurrent writer's
policy is refused rather than overwritten), keeping the policy's other statements and adding the guide's
ImportModel statement for the importer's root. Per customer managed key: DescribeKey, GetKeyPolicy and one
PutKeyPolicy adding two statements for the importer that name all of its models (Decrypt and GenerateDataKey under
aws:SourceArn; CreateGrant under kms:EncryptionContext:aws:comprehend:arn), written before the resource policies.
A model not trained, or a key not customer managed and enabled, stops it before the first write.

Usage: python bench/share_floor.py ENDPOINT_URL REGION WORKERS IMPORTER_ACCOUNT (MODEL_ARN... | @ARNS.json)
(credentials from AWS_ACCESS_KEY_ID and the like). Prints what it did as JSON.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

IMPORT_SID = "ResourcePolicyForImportModel"


def main() -> int:
    url, region, workers, importer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if len(sys.argv) == 6 and sys.argv[5].startswith("@"):
        with open(sys.argv[5][1:], encoding="utf-8") as arns:
            models = json.load(arns)
    else:
        models = sys.argv[5:]
    comprehend = boto3.client("comprehend", region_name=region, endpoint_url=url)
    kms = boto3.client("kms", region_name=region, endpoint_url=url)
    root = f"arn:aws:iam::{importer}:root"

    def read_key(key_id):
        return kms.describe_key(KeyId=key_id)["KeyMetadata"], json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])

    def write_key(key_arn, policy, arns):
        statements = [
            {"Sid": f"ImporterDecrypt{importer}", "Effect": "Allow", "Principal": {"AWS": root}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": f"ImporterCreateGrant{importer}", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:CreateGrant",
             "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": arns}}},
        ]
        sids = {statement["Sid"] for statement in statements}
        policy["Statement"] = [statement for statement in policy["Statement"] if statement.get("Sid") not in sids] + statements
        text = json.dumps(policy, separators=(",", ":"))
        kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=text)
        return len(text.encode("utf-8"))

    def share(arn):
        try:
            current = comprehend.describe_resource_policy(ResourceArn=arn)
        except comprehend.exceptions.ResourceNotFoundException:  # no policy attached
            current = {}
        policy = json.loads(current["ResourcePolicy"]) if current.get("ResourcePolicy") else {"Version": "2012-10-17", "Statement": []}
        policy["Statement"] = [statement for statement in policy["Statement"] if statement.get("Sid") != IMPORT_SID] + [
            {"Sid": IMPORT_SID, "Effect": "Allow", "Action": ["comprehend:ImportModel"], "Resource": "*", "Principal": {"AWS": [root]}}]
        revision = {"PolicyRevisionId": current["PolicyRevisionId"]} if current.get("ResourcePolicy") else {}
        comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=json.dumps(policy), **revision)
        return bool(revision)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        described = list(pool.map(lambda arn: comprehend.describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"], models))
        untrained = [arn for arn, model in zip(models, described) if model["Status"] != "TRAINED"]
        by_key = {}
        for arn, model in zip(models, described):
            if model.get("ModelKmsKeyId"):
                by_key.setdefault(model["ModelKmsKeyId"], []).append(arn)
        keys = dict(zip(by_key, pool.map(read_key, by_key)))
        unusable = [key_id for key_id, (meta, _policy) in keys.items() if meta["KeyManager"] != "CUSTOMER" or meta["KeyState"] != "Enabled"]
        if untrained or unusable:
            print(json.dumps({"refused": {"untrained": untrained, "keys_not_customer_managed_and_enabled": unusable}}))
            return 1
        key_bytes = list(pool.map(lambda key_id: write_key(keys[key_id][0]["Arn"], keys[key_id][1], sorted(by_key[key_id])), by_key))
        replaced = list(pool.map(share, models))
    print(json.dumps({"model_versions": len(models), "resource_policies_written": len(replaced), "with_revision": sum(replaced),
                      "key_policies_written": len(key_bytes), "key_policy_bytes": dict(zip(by_key, key_bytes))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
