"""Values a template or a plan cannot tell before deployment, and how they stand in policies.

A generated name, an attribute AWS assigns (`Fn::GetAtt Key.Arn`), an exported value
(`Fn::ImportValue`), a parameter without a value, or what Terraform knows only after apply
(`after_unknown`) becomes a placeholder: `<WHAT>` in angle brackets, in the shape of the value it
stands for (`arn:aws:iam::123456789012:role/<AppRole>`). No AWS name, ID or ARN holds `<` or
`>`, so a placeholder never equals, nor is matched by, a real request value: a statement that
needs one does not apply to real requests, and the warning that names it says so
(IAM-SEMANTICS §14.21). It equals itself: the same unknown value, within one file, is one
value, as it will be once deployed.
"""

from __future__ import annotations

__all__ = ["holds_placeholder", "is_placeholder", "placeholder"]


def placeholder(what: str) -> str:
    """The placeholder of the value named `what` (`AppRole`, `AppKey.Arn`, `aws_iam_role.app.arn`)."""
    return f"<{what}>"


def is_placeholder(value: object) -> bool:
    """Whether a value is a placeholder (not one that holds one: `arn:...:role/<AppRole>`)."""
    return isinstance(value, str) and value.startswith("<") and value.endswith(">")


def holds_placeholder(value: str) -> bool:
    """Whether a text holds a placeholder anywhere (`arn:...:role/<AppRole>`): no real value does."""
    return "<" in value
