"""The staff site for everything that leaves the school, one module per
sub-domain: the disclosure log, Common Transfer Files, subject access, the
breach register, and the DPO's registers (record of processing, audit pack)."""

from sharing.access import admin as access_admin  # noqa: F401  (each registers its admins)
from sharing.breaches import admin as breaches_admin  # noqa: F401
from sharing.ctf import admin as ctf_admin  # noqa: F401
from sharing.disclosures import admin as disclosures_admin  # noqa: F401
from sharing.registers import admin as registers_admin  # noqa: F401
from sharing.rights import admin as rights_admin  # noqa: F401
