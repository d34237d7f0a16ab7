"""Error pages in the site's style: the public layout with the school's name
for parents and the public, a plain staff page under /admin/, and a 500 page
that needs nothing (not even the database) to show."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory

from config import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_school(school):
    school.is_default = True
    school.save()
    return school


def test_an_unknown_public_page_is_a_404_in_the_public_layout(default_school):
    response = Client().get("/no-such-page")
    html = response.content.decode()

    assert response.status_code == 404
    assert "Page not found" in html and default_school.name in html
    assert "css/public.css" in html and 'href="/privacy"' in html


def test_a_staff_page_refused_is_a_plain_403(school, office_client):
    response = office_client.get("/admin/pupils/auditevent/")
    html = response.content.decode()

    assert response.status_code == 403
    assert "You cannot open this page" in html and "Data Protection Officer" in html
    assert "css/public.css" not in html


def test_the_public_400_and_403_pages_say_what_to_do(default_school):
    request = RequestFactory().get("/consent/form/")

    bad = errors.bad_request(request, SuspiciousOperation())
    denied = errors.permission_denied(request, PermissionDenied())

    assert bad.status_code == 400 and "Go back and try again" in bad.content.decode()
    assert denied.status_code == 403 and "reload the page" in denied.content.decode()
    assert default_school.name in bad.content.decode()


def test_the_500_page_shows_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/consent/check/")

    with django_assert_num_queries(0):
        response = errors.server_error(request)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "css/public.css" in response.content.decode()


def test_an_unhandled_error_on_a_parents_page_shows_the_500_page(default_school, monkeypatch):
    from consent import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "school_for_request", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/consent/new-link/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.parametrize("name", ["400.html", "403.html", "404.html", "500.html"])
def test_the_error_pages_render_without_the_projects_handlers(name):
    """Django's own handlers (a URLconf without config.urls' handler500, as in
    bench/hello_urls.py) give the template no context: it still renders, as
    a public page, instead of failing inside the failure."""
    from django.template.loader import render_to_string

    html = render_to_string(name)
    assert "<html" in html and "site-header" in html
