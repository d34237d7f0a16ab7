"""The building blocks of the permission matrix tell the outcomes apart."""

from django.urls import reverse

from ..access import outcome, project_urls


def test_every_url_pattern_is_listed_by_name():
    names = {name for _route, name in project_urls()}

    assert {"admin:login", "admin:signin_code", "admin:signin_enrol"} <= names
    assert "admin:pupils_pupil_change" in names
    assert "admin:auth_user_password_change" in names


def test_the_outcome_of_each_kind_of_visitor_is_named(
    client, office_client, other_school_client, deactivated_client, school
):
    from ..factories import PupilFactory

    pupil_url = reverse("admin:pupils_pupil_change", args=[PupilFactory(school=school).pk])

    assert outcome(client.get(pupil_url)) == "login"
    assert outcome(office_client.get(pupil_url)) == "allowed"
    assert outcome(other_school_client.get(pupil_url)) == "404"
    assert outcome(deactivated_client.get(pupil_url)) == "login"
    assert outcome(office_client.get(reverse("admin:auth_user_changelist"))) == "403"
