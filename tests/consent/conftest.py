import pytest

from providers import cache as page_cache


@pytest.fixture(autouse=True)
def _no_purposes_from_another_test():
    """consent.purposes keeps a school's purposes in this process for a few
    seconds, keyed by the school's id: a test whose school has the id of an
    earlier test's (SQLite reuses them after a rollback) must not see them."""
    page_cache.clear_local()
    yield
    page_cache.clear_local()
