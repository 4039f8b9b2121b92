"""Key policies holding look-alikes of kms_comprehend_grant's statements (hypothesis, in-process, issue 13).

A look-alike has the module's Sid prefix and shape but a Sid that doesn't digest its content: a random digest, or
the one release 0.1.0 gave a statement of those principals, alone. It names random principals (account IDs, root and
role ARNs, compact or listed) and models (exact or patterns). Whatever sequence of shares, unshares and purges runs
on the policy, as KMS hands it back between runs, each look-alike stays byte for byte what it was, in its order among
the statements of others, and the module's grants are exactly those the requests make from nothing: no look-alike
principal gains or loses a grant through the module.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import STATEMENT_KINDS, apply_request, owns
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import plan_change, read_grants, build_grant_request
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.modules import kms_comprehend_grant

from helpers import FOREIGN_KEY_STATEMENT, IMPORTER, OWNER, REGION, module_params
from integration.conftest import default_key_policy

KEY_ARN = f"arn:aws:kms:{REGION}:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SID_PREFIX = "SeedComprehendImport"
ACCOUNTS = st.sampled_from([IMPORTER, "123456789012", "210987654321"])
PRINCIPALS = st.one_of(ACCOUNTS, ACCOUNTS.map(lambda account: f"arn:aws:iam::{account}:root"),
                       ACCOUNTS.map(lambda account: f"arn:aws:iam::{account}:role/Importer"))
EXACT_MODELS = st.sampled_from([f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/{name}/version/{version}"
                                for name in ("a", "b") for version in ("1", "2")])
PATTERNS = st.sampled_from([f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/a/version/*", "arn:aws:comprehend:*"])


def compact(values: List[str], listed: bool) -> Any:
    return values if listed or len(values) > 1 else values[0]


@st.composite
def look_alikes(draw) -> Dict[str, Any]:
    legacy = draw(st.booleans())  # 0.1.0's Sid for these principals, on a lone Decrypt statement (never a pair)
    kind, actions, key = STATEMENT_KINDS[0] if legacy else draw(st.sampled_from(STATEMENT_KINDS))
    pattern = draw(st.booleans())
    principals = draw(st.lists(PRINCIPALS, min_size=1, max_size=3, unique=True))
    models = draw(st.lists(PATTERNS if pattern else EXACT_MODELS, min_size=1, max_size=3, unique=True))
    listed = draw(st.booleans())
    if legacy:
        roots = sorted({f"arn:aws:iam::{p}:root" if p.isdigit() else p for p in principals})
        digest = hashlib.sha256("\n".join(roots).encode("utf-8")).hexdigest()[:16]
    else:
        digest = draw(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16))
    return {
        "Sid": f"{SID_PREFIX}{kind}{'Like' if pattern else ''}{digest}",
        "Effect": "Allow",
        "Principal": {"AWS": compact(principals, listed)},
        "Action": compact([draw(st.sampled_from([action, action.upper(), action.lower()])) for action in actions], listed),
        "Resource": "*",
        "Condition": {"StringLike" if pattern else "StringEquals": {draw(st.sampled_from([key, key.lower()])): compact(models, listed)}},
    }


REQUESTS = st.fixed_dictionaries({
    "state": st.sampled_from(["present", "present", "absent"]),
    "model_arns": st.lists(st.one_of(EXACT_MODELS, PATTERNS), min_size=1, max_size=3) | st.none(),
    "principals": st.lists(PRINCIPALS.filter(lambda p: ":role/" not in p), min_size=1, max_size=2) | st.none(),
    "purge_principals": st.booleans(),
}).filter(lambda params: params["state"] == "absent" or (params["model_arns"] and params["principals"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(foreign=st.lists(look_alikes(), min_size=1, max_size=4), places=st.lists(st.integers(0, 10), min_size=4, max_size=4),
       changes=st.lists(REQUESTS, min_size=1, max_size=5))
def test_look_alikes_survive_every_share_unshare_and_purge(foreign, places, changes):
    policy = default_key_policy(OWNER)
    policy["Statement"].append(FOREIGN_KEY_STATEMENT)
    for statement, place in zip(foreign, places):
        assert not owns(statement, "aws")  # a random digest that happened to be right would be the module's
        policy["Statement"].insert(place % (len(policy["Statement"]) + 1), statement)
    others = [render_policy(statement) for statement in policy["Statement"]]
    grants = frozenset()
    assert read_grants(policy, "aws") == grants

    for params in changes:
        request = build_grant_request(module_params(kms_comprehend_grant, key_id=KEY_ARN, **params), KEY_ARN)
        plan = plan_change(policy, request)
        grants = apply_request(grants, request)
        assert plan.grants == grants
        policy = json.loads(render_policy(plan.after))  # as KMS hands it back
        assert [render_policy(statement) for statement in policy["Statement"] if not owns(statement, "aws")] == others
        assert len(plan.warnings) == len(foreign)
        assert read_grants(policy, "aws") == grants and not plan_change(policy, request).changed
