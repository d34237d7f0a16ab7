"""The staff roles (groups made by data migrations), put back after a
transactional test has emptied every table."""

#: The migrations' functions that create the staff roles and grant them.
ROLE_FUNCTIONS = {
    "create_roles",
    "grant_roles",
    "grant_dpo",
    "withdraw",
    "drop_permission",
    "drop_permissions",
}


def restore_roles() -> None:
    """A transactional test run before this one empties every table, the
    roles' groups (made by data migrations) with them: run those migration
    functions again, in migration order."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    if Group.objects.exists():
        return
    loader = MigrationLoader(connection)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [n for n in loader.graph.forwards_plan(leaf) if n not in plan]
    for node in plan:
        ops = [
            op
            for op in loader.graph.nodes[node].operations
            if isinstance(op, RunPython) and op.code.__name__ in ROLE_FUNCTIONS
        ]
        if ops:
            # The models as that migration saw them (later ones may be gone).
            historical = loader.project_state(node, at_end=True).apps
            for op in ops:
                op.code(historical, None)
