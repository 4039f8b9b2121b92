#!/usr/bin/env bash
# The AWS CLI way of sharing N model versions, step by step as the AWS guide has it (the benchmark's peer):
# per model, put-resource-policy, then get-key-policy / edit / put-key-policy for the model's two key statements.
#
# usage: cli_share.sh ENDPOINT_URL REGION KEY_ARN IMPORTER_ACCOUNT OWNER_ROLE_ARN MODEL_ARN...
# Credentials come from sts assume-role into OWNER_ROLE_ARN (the emulator accepts any static keys for that call).
set -euo pipefail
endpoint=$1 region=$2 key_arn=$3 importer=$4 owner_role=$5
shift 5
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Only what this script sets: no profile, config file or instance metadata of the machine it runs on.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_DEFAULT_REGION=$region
unset AWS_PROFILE AWS_SESSION_TOKEN
aws() { command aws --endpoint-url "$endpoint" --region "$region" --output json "$@"; }

read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench aws sts assume-role --role-arn "$owner_role" \
    --role-session-name cli-share --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

for model in "$@"; do
  # Step 1 of the guide: the resource-based policy that lets the importer run comprehend:ImportModel.
  "$python" -c 'import json, sys; print(json.dumps({"Version": "2012-10-17", "Statement": [{
      "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": ["comprehend:ImportModel"], "Resource": "*",
      "Principal": {"AWS": ["arn:aws:iam::%s:root" % sys.argv[1]]}}]}))' "$importer" > "$work/resource-policy.json"
  aws comprehend put-resource-policy --resource-arn "$model" --resource-policy "file://$work/resource-policy.json" > /dev/null

  # The key statements of the guide's first example for this model version: read the key policy, add them, write it back.
  aws kms get-key-policy --key-id "$key_arn" --policy-name default --query Policy --output text > "$work/key-policy.json"
  "$python" - "$work/key-policy.json" "$model" "$importer" <<'PY'
import json
import re
import sys

path, model, importer = sys.argv[1:]
policy = json.load(open(path, encoding="utf-8"))
tag = re.sub(r"[^A-Za-z0-9]", "", model.split(":", 5)[5])
principal = {"AWS": f"arn:aws:iam::{importer}:root"}
statements = [
    {"Sid": f"Decrypt{tag}", "Effect": "Allow", "Principal": principal, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": model}}},
    {"Sid": f"CreateGrant{tag}", "Effect": "Allow", "Principal": principal, "Action": "kms:CreateGrant",
     "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": model}}},
]
sids = {statement["Sid"] for statement in statements}
policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") not in sids] + statements
with open(path, "w", encoding="utf-8") as out:
    json.dump(policy, out, separators=(",", ":"))  # compact: the 32 KB limit counts every byte
PY
  aws kms put-key-policy --key-id "$key_arn" --policy-name default --policy "file://$work/key-policy.json"
done
