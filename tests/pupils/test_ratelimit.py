"""One rate limiter and one reading of the client's address, for staff
sign-in and the parents' pages alike."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from pupils import ratelimit
from pupils.clientaddr import client_address

PROXY = "10.0.0.1"  # every request reaches Django from the TLS proxy
NEW_LINK = "/consent/new-link/"


@pytest.fixture
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def parent_at(address: str, *, claims: str = "") -> Client:
    """A browser at ``address``, seen through the proxy, which appends the
    address it saw to whatever X-Forwarded-For the browser sent."""
    forwarded = f"{claims}, {address}" if claims else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def ask_for_links(client: Client, emails: list[str], capture) -> None:
    with capture(execute=True):
        for email in emails:
            assert client.post(NEW_LINK, {"email": email})["Location"] == "/consent/new-link/sent/"


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_two_parents_at_two_addresses_do_not_share_a_bucket(
    family, fresh_cache, django_capture_on_commit_callbacks
):
    per_address = ratelimit.POLICIES["consent-new-link:address"].limit
    first, second = parent_at("198.51.100.1"), parent_at("198.51.100.2")
    strangers = [f"stranger{n}@nowhere.example" for n in range(per_address)]
    ask_for_links(first, strangers, django_capture_on_commit_callbacks)

    ask_for_links(second, [family.mother.email], django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[family.mother.email]]

    # The first address has used its hour's requests, even claiming another.
    ask_for_links(first, [family.father.email], django_capture_on_commit_callbacks)
    forged = parent_at("198.51.100.1", claims="198.51.100.3")
    ask_for_links(forged, [family.father.email], django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[family.mother.email]]


@pytest.mark.parametrize(("behind_proxy", "expected"), [(True, "198.51.100.1"), (False, PROXY)])
def test_the_client_address_is_the_one_the_proxy_saw_only_behind_the_proxy(
    rf, behind_proxy, expected
):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.7, 198.51.100.1")

    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        assert client_address(request) == expected


def test_a_fixed_window_policy_refuses_past_its_limit_and_names_nobody(fresh_cache):
    policy = ratelimit.POLICIES["consent-new-link:email"]

    answers = [ratelimit.hit(policy.name, "1:Parent@Example.org") for _ in range(policy.limit + 1)]

    assert answers == [True] * policy.limit + [False]
    assert not ratelimit.hit(policy.name, "1:parent@example.org")  # the same bucket
    assert "parent" not in ratelimit.cache_key(policy, "1:parent@example.org")


def test_every_policy_is_named_by_its_key():
    assert all(name == policy.name for name, policy in ratelimit.POLICIES.items())


def test_looking_at_a_policy_counts_nothing(fresh_cache):
    policy = ratelimit.POLICIES["consent-link:address"]
    for _ in range(policy.limit - 1):
        ratelimit.hit(policy.name, "198.51.100.9")
    assert not any(ratelimit.exceeded(policy.name, "198.51.100.9") for _ in range(5))
    ratelimit.hit(policy.name, "198.51.100.9")
    assert ratelimit.exceeded(policy.name, "198.51.100.9")


def consent_link(family) -> str:
    from consent.links import issue_link

    url = issue_link(contact=family.mother, actor=None, reason="staff", base_url="http://x").url
    return "/" + url.split("/", 3)[3]


@override_settings(BEHIND_TLS_PROXY=True)
def test_guessing_consent_links_is_stopped_per_client_behind_the_proxy(family, fresh_cache):
    limit = ratelimit.POLICIES["consent-link:address"].limit
    guesser, parent = parent_at("198.51.100.1"), parent_at("198.51.100.2")
    guesses = [guesser.get(f"/consent/link/made-up-token-{n}/") for n in range(limit)]
    assert {g.status_code for g in guesses} == {400}  # "this link does not work"

    refused = guesser.get("/consent/link/made-up-token-again/")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    # Once over, no link opens from there, a real one included, even
    # claiming another address; the parent next door is not affected.
    link = consent_link(family)
    assert guesser.get(link).status_code == 429
    assert parent_at("198.51.100.1", claims="198.51.100.2").get(link).status_code == 429
    assert parent.get(link)["Location"] == "/consent/form/"


@override_settings(BEHIND_TLS_PROXY=True)
def test_real_consent_links_are_never_limited(family, fresh_cache):
    """A school hall of parents behind one address, or a family going back
    and forward, opens real links as often as it likes."""
    hall = parent_at("198.51.100.1")
    link = consent_link(family)
    limit = ratelimit.POLICIES["consent-link:address"].limit
    assert all(hall.get(link).status_code == 302 for _ in range(limit * 2))
