"""Migrations never import application code: a helper they need is copied
in, frozen, so changing the helper later cannot change an old migration.

The one exception is what Django's migration writer itself puts in a
migration to describe model state: a custom field class or a validator
(changing those is a schema change that makemigrations notices anyway)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("pupils", "providers", "consent", "sharing", "config")
MIGRATIONS = sorted(
    path
    for app in APPS
    for path in (ROOT / app).glob("migrations/*.py")
    if path.name != "__init__.py"
)
# Model state Django writes as a dotted reference: module -> names it may use.
MODEL_STATE = {
    "pupils.fields": {"EncryptedTextField"},
    "pupils.models": {"validate_upn"},
}


def _is_app(module: str) -> bool:
    return module.split(".")[0] in APPS


def problems_in(source: str) -> list[str]:
    tree = ast.parse(source)
    allowed_modules = set()
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _is_app(node.module):
            problems.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.level:
            problems.append(f"line {node.lineno}: a relative import")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_app(alias.name):
                    continue
                if alias.name in MODEL_STATE and alias.asname is None:
                    allowed_modules.add(alias.name)
                else:
                    problems.append(f"line {node.lineno}: import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            module = ast.unparse(node.value)
            if module in allowed_modules and node.attr not in MODEL_STATE[module]:
                problems.append(f"line {node.lineno}: uses {module}.{node.attr}")
    return problems


def test_the_migrations_are_found():
    assert len(MIGRATIONS) >= 4 * 3


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_migration_imports_application_code(path):
    assert problems_in(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from pupils.roles import grant",
        "from pupils import dbguards",
        "import sharing.services",
        "import pupils.models as m",
        "import pupils.models\nx = pupils.models.Pupil",
        "from .helpers import grant",
    ],
)
def test_the_check_catches_an_import_of_application_code(source):
    assert problems_in(source) != []


def test_the_check_allows_the_model_state_django_writes():
    source = "import pupils.fields\nimport pupils.models\n"
    source += "f = pupils.fields.EncryptedTextField(); v = [pupils.models.validate_upn]\n"
    assert problems_in(source) == []
