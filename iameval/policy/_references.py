"""Where AWS documents each rule, for the messages users read.

Docstrings cite sections of docs/IAM-SEMANTICS.md (§); users do not have that document, so
what iameval prints cites the AWS page the section was written from (its "Sources"). One table,
read by every message that points a user to a rule.
"""

from __future__ import annotations

__all__ = ["AWS_DOCS", "aws_doc", "see"]

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_ORGS = "https://docs.aws.amazon.com/organizations/latest/userguide/"

# The page for each section of IAM-SEMANTICS.md; a subsection without its own falls back to its
# section's (see `see`).
AWS_DOCS: dict[str, str] = {
    "1": _IAM + "reference_policies_condition-keys.html",
    "2": _IAM + "reference_policies_evaluation-logic.html",
    "2.1": _IAM + "reference_policies_evaluation-logic_policy-eval-denyallow.html",
    "2.2": _IAM + "reference_policies_evaluation-logic_policy-eval-basics.html",
    "2.3": _IAM + "reference_policies_evaluation-logic_policy-eval-basics.html",
    "2.4": _IAM + "access_policies.html#policies_session",
    "2.5": _IAM + "id_roles_update-role-trust-policy.html",
    "2.6": _IAM + "reference_policies_elements_principal.html",
    "2.7": _IAM + "id_credentials_sts-comparison.html",
    "2.7.kms": "https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html",
    "3": _IAM + "reference_policies_evaluation-logic-cross-account.html",
    "4": _ORGS + "orgs_manage_policies_scps_evaluation.html",
    "4.rcp": _ORGS + "orgs_manage_policies_rcps_evaluation.html",
    "5": _IAM + "access_policies_boundaries.html",
    "6": _IAM + "reference_policies_grammar.html",
    "6.1": _IAM + "reference_policies_grammar.html",
    "6.2": _IAM + "reference_policies_elements.html",
    "6.4": _IAM + "reference_policies_elements.html",
    "7": _IAM + "reference_policies_elements_action.html",
    "7.3": _IAM + "reference_policies_elements_resource.html",
    "7.4": _IAM + "reference_policies_elements_principal.html",
    "8": _IAM + "reference_policies_elements_condition_operators.html",
    "8.5": _IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html",
    "9": _IAM + "reference_policies_variables.html",
    "10": _IAM + "reference_policies_condition-keys.html",
    "11": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html",
    "12": _IAM + "access-analyzer-reference-policy-checks.html",
    "12.3": _IAM + "reference_iam-quotas.html",
    "13": _IAM + "reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html",
    # §14: corners AWS leaves open; the page closest to each, which messages cite with "AWS
    # leaves this open".
    "14.12": _IAM + "reference_policies_elements_id.html",
    "14.21": "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html",
    "14.22": _ORGS + "orgs_manage_policies_scps.html",
}


def aws_doc(section: str) -> str:
    """The AWS page for a section of IAM-SEMANTICS.md (`"2.3"`, `"§8.5"`, `"4.rcp"`), the most
    specific page the table has; a section the table does not know is a programming error."""
    key = section.removeprefix("§")
    while key not in AWS_DOCS:
        if "." not in key:
            raise KeyError(section)
        key = key.rsplit(".", 1)[0]
    return AWS_DOCS[key]


def see(section: str) -> str:
    """`see <URL>`, for a message that points a user to the rule of a section."""
    return f"see {aws_doc(section)}"
