"""The staff site for everything that leaves the school, one module per
sub-domain: the disclosure log and CTFs, and subject access requests."""

from . import admin_access, admin_disclosures  # noqa: F401  (they register their admins)
