"""The staff back office in the Django admin. Importing the package registers it all."""

from . import api_keys, orders, reference, returns  # noqa: F401  (registration)
