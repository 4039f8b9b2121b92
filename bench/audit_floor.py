"""The audit benchmark's floor: only the reads an audit of one region needs, with plain boto3, `workers` at a time.

Every List page of both model types, one DescribeResourcePolicy per model version, one DescribeKey per key the models
name, one GetKeyPolicy per customer managed key. No evaluation, no report: the least any audit must do.

Usage: python bench/audit_floor.py ENDPOINT_URL REGION WORKERS (credentials from AWS_ACCESS_KEY_ID and the like).
Prints what it read as JSON.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

LISTS = [("list_document_classifiers", "DocumentClassifierPropertiesList", "DocumentClassifierArn"),
         ("list_entity_recognizers", "EntityRecognizerPropertiesList", "EntityRecognizerArn")]


def main() -> None:
    url, region, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    comprehend = boto3.client("comprehend", region_name=region, endpoint_url=url)
    kms = boto3.client("kms", region_name=region, endpoint_url=url)

    def listed(entry):
        method, list_key, arn_key = entry
        pages = comprehend.get_paginator(method).paginate()
        return [(model[arn_key], model.get("ModelKmsKeyId")) for page in pages for model in page[list_key]]

    def resource_policy(arn):
        try:
            return comprehend.describe_resource_policy(ResourceArn=arn).get("ResourcePolicy")
        except comprehend.exceptions.ResourceNotFoundException:  # no policy attached
            return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        models = [model for models in pool.map(listed, LISTS) for model in models]
        policies = list(pool.map(resource_policy, [arn for arn, _key in models]))
        keys = list(pool.map(lambda key: kms.describe_key(KeyId=key)["KeyMetadata"], sorted({key for _arn, key in models if key})))
        customer = [key["Arn"] for key in keys if key["KeyManager"] == "CUSTOMER"]
        key_policies = list(pool.map(lambda arn: kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"], customer))
    print(json.dumps({"model_versions": len(models), "resource_policies": sum(1 for policy in policies if policy),
                      "keys": len(keys), "key_policies": len(key_policies)}))


if __name__ == "__main__":
    main()
