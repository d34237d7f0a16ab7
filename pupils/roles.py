"""Staff roles are Django groups, created and kept up to date by migrations.

Each app's data migrations grant its own permissions to these groups, with
a frozen copy of the ``grant`` helper in the migration itself (migrations
never import application code): the names here must match theirs.
"""

OFFICE_STAFF = "Office staff"
DPO = "Data Protection Officer"
ROLES = (OFFICE_STAFF, DPO)
