"""The public /privacy page, its earlier versions, print layout and JSON."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from providers import cache as page_cache
from providers import criteria, services
from providers.models import ProviderStatus

from ..factories import ProviderFactory, SchoolFactory, UserFactory

SENTINEL = "ZZSTAFFONLY"
PUBLIC_URLS = ["/privacy", "/privacy/print", "/privacy/notice/1", "/privacy/providers.json"]


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    page_cache.clear_local()


@pytest.fixture
def public(school, settings):
    settings.ALLOWED_HOSTS = ["privacy.crook.example", "privacy.elsewhere.example", "localhost"]
    school.is_default = True
    school.hostname = "privacy.crook.example"
    school.save()
    return Client(HTTP_HOST="privacy.crook.example")


@pytest.fixture
def published(school, dpo_user):
    draft = services.draft_notice(school=school, actor=dpo_user)
    return services.publish_notice(notice=draft, actor=dpo_user)


@pytest.fixture
def providers(school, dpo_user):
    """One provider in use with sentinels in every staff-only field, one
    proposed, one retired."""
    assessor = UserFactory(username=f"{SENTINEL}-assessor", school=school)
    used = ProviderFactory(
        school=school,
        service="Times Tables Rock Stars",
        name="Maths Circle Ltd",
        data_categories=["name", "year", "sen"],
        art9_condition="a",
        notes=f"{SENTINEL}-provider-notes",
        storage_detail="Microsoft Azure UK South",
        offline_alternative="Times-tables practice sheets.",
    )
    services.record_assessment(
        provider=used,
        answers={c.code: ("met", f"{SENTINEL}-evidence-{c.code}") for c in criteria.CRITERIA},
        decision="conditions",
        conditions=f"{SENTINEL}-conditions",
        notes=f"{SENTINEL}-assessment-notes",
        actor=dpo_user,
        assessor=assessor,
    )
    services.set_provider_status(provider=used, status=ProviderStatus.IN_USE, actor=dpo_user)
    ProviderFactory(school=school, service="Proposed Photos Ltd")
    retired = ProviderFactory(school=school, service="Old Messaging App")
    retired.status = ProviderStatus.RETIRED
    retired.save()
    return used


def test_the_public_sees_the_current_notice_and_the_providers_in_use(public, published, providers):
    response = public.get("/privacy")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Privacy notice for pupils" in html
    assert "Version 1, published" in html
    assert "Times Tables Rock Stars" in html
    assert "Maths Circle Ltd" in html
    assert "Microsoft Azure UK South" in html
    assert "Times-tables practice sheets." in html
    assert "special category" in html
    assert "Are parents asked for consent?" in html
    assert "Proposed Photos Ltd" not in html
    assert "Old Messaging App" not in html


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_staff_only_field_ever_reaches_a_public_page(public, published, providers, url):
    response = public.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert SENTINEL not in body
    assert "evidence" not in body.lower()


def test_the_json_lists_the_providers_in_use_and_the_notice_version(public, published, providers):
    response = public.get("/privacy/providers.json")
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["notice"]["version"] == 1
    assert [p["service"] for p in data["providers"]] == ["Times Tables Rock Stars"]
    row = data["providers"][0]
    assert row["asks_consent"] is True
    assert row["special_category"] is True
    assert row["storage_location"] == "uk"
    assert row["last_assessed_on"]
    assert {"notes", "evidence", "assessor", "conditions", "rating"}.isdisjoint(row)


def test_notice_text_is_escaped_never_rendered_as_html(public, school, dpo_user):
    draft = services.draft_notice(
        school=school, actor=dpo_user, body='## <i>Hi</i>\n\n<script>alert(1)</script> "x"'
    )
    services.publish_notice(notice=draft, actor=dpo_user)
    html = public.get("/privacy").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>&lt;i&gt;Hi&lt;/i&gt;</h2>" in html


def test_earlier_published_versions_stay_reachable_and_say_they_no_longer_apply(
    public, school, dpo_user, published
):
    second = services.draft_notice(school=school, actor=dpo_user, body="## Version two\n\nNew.")
    services.publish_notice(notice=second, actor=dpo_user)
    html = public.get("/privacy").content.decode()
    assert "Version two" in html
    assert 'href="/privacy/notice/1"' in html
    old = public.get("/privacy/notice/1").content.decode()
    assert "no longer applies" in old
    assert "Who we are" in old


def test_drafts_and_unknown_versions_are_not_found(public, school, dpo_user, published):
    services.draft_notice(school=school, actor=dpo_user, body="Secret draft")
    assert public.get("/privacy/notice/2").status_code == 404
    assert public.get("/privacy/notice/99").status_code == 404


def test_a_school_without_a_published_notice_says_so(public, providers):
    html = public.get("/privacy").content.decode()
    assert "has not published its privacy notice" in html
    assert "Times Tables Rock Stars" in html


def test_each_school_is_served_at_its_own_host_and_unknown_hosts_get_the_default(
    public, published, providers, dpo_user
):
    other = SchoolFactory(name="Elsewhere Academy", hostname="privacy.elsewhere.example")
    ProviderFactory(school=other, service="Elsewhere Maths")
    draft = services.draft_notice(school=other, actor=dpo_user)
    services.publish_notice(notice=draft, actor=dpo_user)

    crook = public.get("/privacy").content.decode()
    elsewhere = Client(HTTP_HOST="privacy.elsewhere.example").get("/privacy").content.decode()
    default = Client(HTTP_HOST="localhost").get("/privacy").content.decode()
    assert "Crook Primary School" in crook and "Elsewhere Academy" not in crook
    assert "Elsewhere Academy" in elsewhere and "Times Tables Rock Stars" not in elsewhere
    assert "Crook Primary School" in default


def test_publishing_a_notice_shows_at_once_despite_the_cache(public, school, dpo_user, published):
    assert "Version 1," in public.get("/privacy").content.decode()
    services.publish_notice(
        notice=services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    assert "Version 2," in public.get("/privacy").content.decode()


def test_changing_a_provider_shows_at_once_despite_the_cache(public, published, providers):
    assert "Times Tables Rock Stars" in public.get("/privacy").content.decode()
    services.set_provider_status(provider=providers, status=ProviderStatus.RETIRED, actor=None)
    assert "Times Tables Rock Stars" not in public.get("/privacy").content.decode()
    assert json.loads(public.get("/privacy/providers.json").content)["providers"] == []


def test_the_page_costs_a_fixed_number_of_queries_however_many_providers(
    public, school, published, providers, dpo_user, django_assert_max_num_queries
):
    for i in range(15):
        p = ProviderFactory(school=school, service=f"Extra service {i}")
        services.record_assessment(provider=p, answers={}, decision="approve", actor=dpo_user)
        services.set_provider_status(provider=p, status=ProviderStatus.IN_USE, actor=dpo_user)
    with django_assert_max_num_queries(11):  # first visit: renders, caches
        assert public.get("/privacy").status_code == 200
    with django_assert_max_num_queries(0):  # then: this process's copy
        assert public.get("/privacy").status_code == 200
    page_cache.clear_local()
    with django_assert_max_num_queries(2):  # another process: host lookup + one cache read
        assert public.get("/privacy").status_code == 200


def test_public_pages_carry_the_security_headers(public, published):
    response = public.get("/privacy")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "style=" not in response.content.decode()


def test_public_pages_are_read_only(public, published):
    assert public.post("/privacy").status_code == 405


def test_the_page_has_landmarks_one_h1_and_headings_in_order(public, published, providers):
    html = public.get("/privacy").content.decode()
    assert html.count("<h1") == 1
    assert "<main" in html and "<header" in html and "<footer" in html
    assert 'lang="en-GB"' in html
    levels = [int(level) for level in __import__("re").findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_the_print_layout_uses_the_print_stylesheet_for_the_screen_too(public, published):
    html = public.get("/privacy/print").content.decode()
    assert 'href="/static/css/print.css">' in html


def test_a_change_made_by_another_server_process_shows_within_a_few_seconds(
    public, school, published, providers, monkeypatch
):
    from providers.models import Provider

    assert "Times Tables Rock Stars" in public.get("/privacy").content.decode()
    # Another process retires the provider: the shared token changes, this
    # process's copy is not told.
    Provider.objects.filter(pk=providers.pk).update(status=ProviderStatus.RETIRED)
    cache.set(f"public:v1:token:{school.pk}", "changed-elsewhere")
    assert "Times Tables Rock Stars" in public.get("/privacy").content.decode()
    later = page_cache.time.monotonic() + page_cache.LOCAL_SECONDS + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "Times Tables Rock Stars" not in public.get("/privacy").content.decode()


@pytest.mark.parametrize("url", ["/privacy", "/privacy/providers.json"])
def test_a_reverse_proxy_or_cdn_may_share_the_public_pages(public, published, url):
    for _ in range(2):  # rendered, then answered from this process's copy
        response = public.get(url)
        assert response.status_code == 200
        assert "cookie" not in response.get("Vary", "").lower()
        assert not response.cookies
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert "public" in directives
        assert f"max-age={page_cache.SHARED_SECONDS}" in directives


def test_a_visit_to_the_public_page_touches_no_session(public, published):
    from pupils.models import StaffSession

    public.get("/privacy")
    public.get("/privacy")

    assert not StaffSession.objects.exists()
    assert not public.cookies


def test_the_copy_served_to_the_next_visitor_carries_every_header(public, published):
    first = public.get("/privacy")
    again = public.get("/privacy")

    assert again.content == first.content
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cache-Control",
        "Content-Type",
        "Content-Language",
    ):
        assert again[header] == first[header], header


def test_a_signed_in_staff_member_is_never_answered_from_the_shared_copy(
    public, published, office_user
):
    from ..conftest import staff_client

    public.get("/privacy")  # the copy is there
    staff = staff_client(office_user)
    staff.defaults["HTTP_HOST"] = "privacy.crook.example"

    response = staff.get("/privacy")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_staff_pages_are_still_never_stored(office_client):
    from django.urls import reverse

    response = office_client.get(reverse("admin:index"))

    assert "no-store" in response["Cache-Control"]
    assert "cookie" in response["Vary"].lower()


def test_a_publication_shows_at_once_in_this_process_despite_the_copy(
    public, school, dpo_user, published
):
    assert public.get("/privacy").status_code == 200
    draft = services.draft_notice(school=school, actor=dpo_user, body="ZZNEWPARAGRAPH")
    services.publish_notice(notice=draft, actor=dpo_user)

    assert "ZZNEWPARAGRAPH" in public.get("/privacy").content.decode()


def test_a_full_local_store_drops_the_oldest_copy_not_every_copy(monkeypatch):
    """A trust's schools x languages fill the per-process store: the copy
    made longest ago goes, the others stay (before, the store was emptied)."""
    page_cache.clear_local()
    monkeypatch.setattr(page_cache, "LOCAL_MAX_ENTRIES", 3)
    for n in range(4):
        page_cache.local_put(f"school{n}.example", "privacy:en-gb", b"page %d" % n)
    assert page_cache.local_get("school0.example", "privacy:en-gb") is None
    assert [page_cache.local_get(f"school{n}.example", "privacy:en-gb") for n in (1, 2, 3)] == [
        b"page 1",
        b"page 2",
        b"page 3",
    ]
    page_cache.clear_local()


def test_expired_copies_make_room_first(monkeypatch):
    page_cache.clear_local()
    monkeypatch.setattr(page_cache, "LOCAL_MAX_ENTRIES", 2)
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    page_cache.local_put("a.example", "privacy", b"a")
    clock[0] += page_cache.LOCAL_SECONDS + 1  # a's copy has expired
    page_cache.local_put("b.example", "privacy", b"b")
    page_cache.local_put("c.example", "privacy", b"c")
    assert page_cache.local_get("b.example", "privacy") == b"b"  # kept: a made the room
    assert page_cache.local_get("c.example", "privacy") == b"c"
    page_cache.clear_local()
