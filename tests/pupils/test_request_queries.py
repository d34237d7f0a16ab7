"""What being signed in costs every staff request (issue 17): the session
row, the user read with their second-factor device, staff profile and
school, and the permissions read once. No session write while the idle clock
is fresh. And the whole pupil page, sign-in included, in at most 12 queries."""

import re

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.staff.backends import StaffBackend

from ..conftest import staff_client
from ..factories import UserFactory
from .test_pupil_page import page, year6  # noqa: F401  (the fixture)

#: Every signed-in staff request, whatever page it shows, and why.
SIGNED_IN_QUERIES = {
    "the session row": r'FROM "pupils_staffsession"',
    "the session's device, with its user, staff profile and school": (
        r'FROM "otp_totp_totpdevice" INNER JOIN "auth_user" '
        r'.*"pupils_staffprofile".*"pupils_school"'
    ),
    "the permissions, the user's own and their groups' at once": (
        r'"auth_user_user_permissions".* UNION ALL .*"auth_user_groups"'
    ),
}
SIGNED_IN = len(SIGNED_IN_QUERIES)
#: Issue 17: the pupil page at most 12 queries, sign-in included.
WHOLE_PUPIL_PAGE = 12


def queries_of(client, url: str) -> list[str]:
    client.get(url)  # content types and the like, warm in a running server
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def test_a_signed_in_request_costs_three_queries_before_its_page(office_user):
    """The password-change form reads nothing of its own: what it costs is
    the cost of being signed in."""
    sql = queries_of(staff_client(office_user), reverse("admin:password_change"))

    assert len(sql) == SIGNED_IN, "\n".join(sql)
    for (cause, pattern), query in zip(SIGNED_IN_QUERIES.items(), sql, strict=True):
        assert re.search(pattern, query, re.S), f"{cause}: {query}"


def test_a_request_with_the_idle_clock_fresh_writes_nothing(dpo_user):
    sql = queries_of(staff_client(dpo_user), reverse("admin:password_change"))

    assert not [q for q in sql if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]


def test_a_session_signed_in_with_a_recovery_code_costs_the_same(office_user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client = staff_client(office_user)
    device = StaticDevice.objects.create(user=office_user, name="Recovery codes", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    sql = queries_of(client, reverse("admin:password_change"))

    assert len(sql) == SIGNED_IN
    assert 'FROM "otp_static_staticdevice" INNER JOIN "auth_user"' in sql[1]


@pytest.mark.parametrize("client_of", ["dpo_client", "office_client"])
def test_the_whole_pupil_page_takes_at_most_12_queries(client_of, request, year6):  # noqa: F811
    sql = queries_of(request.getfixturevalue(client_of), page(year6))

    assert len(sql) <= WHOLE_PUPIL_PAGE, "\n".join(sql)


def test_permissions_are_the_same_as_djangos_in_one_query(school, django_assert_num_queries):
    user = UserFactory()
    own = Permission.objects.get(codename="view_pupil")
    via_group = Permission.objects.get(codename="change_contact")
    both = Permission.objects.get(codename="view_contact")
    group = Group.objects.create(name="Some role")
    group.permissions.add(via_group, both)
    user.groups.add(group)
    user.user_permissions.add(own, both)

    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        mine = StaffBackend().get_all_permissions(fresh)
        assert fresh.has_perm("pupils.view_pupil")  # no further query
    theirs = type(user).objects.get(pk=user.pk)

    assert mine == ModelBackend().get_all_permissions(theirs)
    assert mine >= {"pupils.view_pupil", "pupils.change_contact", "pupils.view_contact"}
    assert fresh._user_perm_cache == ModelBackend().get_user_permissions(theirs)
    assert fresh._group_perm_cache == ModelBackend().get_group_permissions(theirs)


def test_a_superuser_and_an_inactive_user_have_the_permissions_django_gives(school):
    superuser = UserFactory(is_superuser=True)
    inactive = UserFactory(is_active=False)
    inactive.user_permissions.add(Permission.objects.get(codename="view_pupil"))

    assert StaffBackend().get_all_permissions(superuser) == ModelBackend().get_all_permissions(
        type(superuser).objects.get(pk=superuser.pk)
    )
    assert StaffBackend().get_all_permissions(inactive) == set()
