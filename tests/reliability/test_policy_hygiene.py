"""Every kind of policy the collection generates passes an independent IAM policy linter: parliament (Duo Labs,
PyPI), with its community auditors on. The policies come from the collection's own code, for a spread of inputs
(hypothesis): model resource policies (resource_policy.plan), KMS key policies (key_policy.plan_change),
the importer's role permissions policy (handoff.importer_role_policy) and the import role's trust policy
(roles/import_model/vars/main.yml).

Error level is severity MEDIUM or higher (parliament's levels: INFO, LOW, MEDIUM, HIGH, CRITICAL). Findings the
linter gets wrong for a policy of that kind are waived below, each with its reason; the report lists every finding.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

import parliament
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import plan_change, build_grant_request
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_request, parse_stored, plan
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.modules import comprehend_resource_policy, kms_comprehend_grant

from helpers import FOREIGN_KEY_STATEMENT, FOREIGN_MODEL_STATEMENT, IMPORTER, OWNER, module_params
from integration.conftest import default_key_policy

REPO = Path(__file__).resolve().parents[2]
ERROR_LEVELS = ("MEDIUM", "HIGH", "CRITICAL")
KEY_ARN = f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# (policy kind, parliament issue) -> why the finding is wrong, or accepted, for that kind of policy.
WAIVED: Dict[Tuple[str, str], str] = {
    ("trust policy", "MALFORMED"):
        "parliament reads every policy as an identity policy; a role trust policy has no Resource element by design "
        "(IAM refuses one that has)",
    ("importer role policy", "PERMISSIONS_MANAGEMENT_ACTIONS"):
        "kms:CreateGrant is what the AWS guide requires of the importer's service role so that Comprehend can use the "
        "source key; the policy scopes it to the key ARNs of the handoff (a kms:GrantIsForAWSResource condition would "
        "narrow it further: suggested to the maintainers)",
    ("resource policy", "RESOURCE_STAR"):
        "in a Comprehend model policy Resource \"*\" means the model version the policy is attached to (AWS guide)",
    ("key policy", "RESOURCE_STAR"):
        "in a KMS key policy Resource \"*\" means this key; KMS documents no other value",
    ("key policy", "INVALID_SID"):
        "the Sid 'Enable IAM User Permissions' is AWS's own default key statement, kept as it is, not the collection's",
}
# What parliament's command line does with --include-community-auditors: their findings' severities.
parliament.override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")


def lint(kind: str, policy: Dict[str, Any], tally: Counter, waived: Counter, errors: List[str]) -> None:
    analysed = parliament.analyze_policy_string(render_policy(policy), include_community_auditors=True)
    tally[kind] += 1
    for finding in analysed.findings:
        finding = parliament.enhance_finding(finding)
        if (kind, finding.issue) in WAIVED:
            waived[(kind, finding.issue, finding.severity)] += 1
        elif finding.severity in ERROR_LEVELS:
            errors.append(f"{kind}: {finding.issue} ({finding.severity}) {finding.detail} in {render_policy(policy)[:300]}")
        else:
            waived[(kind, finding.issue, finding.severity)] += 1


PRINCIPALS = st.lists(st.one_of(
    st.sampled_from([IMPORTER, "123456789012", f"arn:aws:iam::{IMPORTER}:root", f"arn:aws:iam::{IMPORTER}:user/jane",
                     "arn:aws:iam::123456789012:role/team/ModelImporter", "comprehend.amazonaws.com"]),
    st.integers(min_value=10 ** 11, max_value=10 ** 12 - 1).map(str)), min_size=1, max_size=5)
MODELS = st.lists(st.builds(
    "arn:aws:comprehend:us-west-2:{}:{}/{}{}".format, st.just(OWNER), st.sampled_from(["document-classifier", "entity-recognizer"]),
    st.sampled_from(["tickets", "mycf1", "people", "a-b"]), st.sampled_from(["", "/version/v1", "/version/v2", "/version/*"])),
    min_size=1, max_size=6)
CURRENT_RESOURCE_POLICY = st.sampled_from([None, {"Version": "2012-10-17", "Statement": [FOREIGN_MODEL_STATEMENT]}])


def grant_request(models: List[str], principals: List[str]) -> Any:
    return build_grant_request(module_params(kms_comprehend_grant, key_id=KEY_ARN, model_arns=models, principals=principals), KEY_ARN)


def run(examples: int, **strategies: Any) -> Any:
    """A hypothesis run of the decorated function (one test, so that xdist keeps the tallies in one process)."""
    def decorate(function: Any) -> Any:
        settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))(given(**strategies)(function))()
        return function
    return decorate


def test_every_generated_policy_passes_parliament(figures):
    results = {"tally": Counter(), "waived": Counter(), "errors": []}

    @run(150, principals=PRINCIPALS, purge=st.booleans(), current=CURRENT_RESOURCE_POLICY,
         statement_id=st.sampled_from(["ResourcePolicyForImportModel", "ShareWithAnalytics"]))
    def resource_policies(principals, purge, current, statement_id):
        request = build_request(module_params(
            comprehend_resource_policy, resource_arn=f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/mycf1/version/v2",
            principals=principals, purge_principals=purge, statement_id=statement_id))
        stored = None if current is None else Stored(json.dumps(current), "0" * 32)
        lint("resource policy", plan(parse_stored(stored), request), results["tally"], results["waived"], results["errors"])

    @run(150, models=MODELS, principals=PRINCIPALS.map(lambda items: [i for i in items if "amazonaws" not in i] or [IMPORTER]),
         foreign=st.booleans(), then=st.one_of(st.none(), MODELS))
    def key_policies(models, principals, foreign, then):
        policy = default_key_policy(OWNER)
        if foreign:
            policy["Statement"].append(FOREIGN_KEY_STATEMENT)
        first = plan_change(policy, grant_request(models, principals)).after
        lint("key policy", first, results["tally"], results["waived"], results["errors"])
        if then:  # a second grant on top of the first: more than one pair of statements
            second = plan_change(first, grant_request(then, [IMPORTER])).after
            lint("key policy", second, results["tally"], results["waived"], results["errors"])

    @run(30, keys=st.lists(st.sampled_from([KEY_ARN, "arn:aws:kms:us-west-2:444455556666:key/abcd1234-0000-1111-2222-333344445555",
                                            "arn:aws-cn:kms:cn-north-1:111122223333:key/x"]), min_size=1, max_size=3))
    def importer_role_policies(keys):
        lint("importer role policy", importer_role_policy(keys), results["tally"], results["waived"], results["errors"])

    trust = yaml.safe_load((REPO / "roles" / "import_model" / "vars" / "main.yml").read_text(encoding="utf-8"))["import_model_trust_policy"]
    lint("trust policy", trust, results["tally"], results["waived"], results["errors"])
    by_kind = Counter()
    for (kind, _issue, _severity), count in results["waived"].items():
        by_kind[kind] += count
    notes = [f"{kind}: {issue} ({severity}) x{count}: " + WAIVED.get((kind, issue), "below error level, kept as a warning")
             for (kind, issue, severity), count in sorted(results["waived"].items())]
    for kind in ("resource policy", "key policy", "importer role policy", "trust policy"):
        figures.add("policy-hygiene", {
            "policy kind": kind, "policies linted": results["tally"][kind],
            "error-level findings": sum(1 for error in results["errors"] if error.startswith(kind + ":")),
            "findings listed (waived or below error level)": by_kind[kind]}, not any(error.startswith(kind + ":") for error in results["errors"]),
            [note for note in notes if note.startswith(kind + ":")] + [error[:300] for error in results["errors"] if error.startswith(kind)][:2])
    assert all(results["tally"][kind] for kind in ("resource policy", "key policy", "importer role policy")), results["tally"]
    assert not results["errors"], results["errors"][:5]
