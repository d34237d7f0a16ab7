"""The staff home page: what needs doing first, per role, each a link to the
list that resolves it; then charts with a text alternative; a fixed number
of queries whatever the school's size."""

import datetime
import re
import sys
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config import dashboard
from consent.models import ConsentRecord
from providers.models import RiskAssessment
from pupils.models import Pupil

from .factories import (
    AccessRequestFactory,
    InUseProviderFactory,
    PupilFactory,
)

HOME = reverse("admin:index")


def todo_lines(response) -> dict[str, str]:
    """Each to-do's text and its link, as the page shows them."""
    html = response.content.decode()
    return {
        text.replace("&#x27;", "'"): href
        for href, text in re.findall(r'<a href="([^"]+)" data-count="\d+">([^<]*)</a>', html)
    }


@pytest.fixture
def busy_school(school, dpo_user):
    """An overdue and a due-soon access request, a provider whose review is
    overdue, a service needing consent with one yes, one no, one unanswered."""
    today = timezone.localdate()
    AccessRequestFactory(school=school, due_on=today - datetime.timedelta(days=3))
    AccessRequestFactory(school=school, due_on=today + datetime.timedelta(days=1))
    AccessRequestFactory(school=school, due_on=today + datetime.timedelta(days=60))
    reviewed = InUseProviderFactory(school=school, service="Seesaw")
    RiskAssessment.objects.create(
        provider=reviewed,
        version=1,
        status="published",
        assessed_on=today - datetime.timedelta(days=400),
        next_review_on=today - datetime.timedelta(days=35),
        rating="amber",
        decision="approve",
        storage_location="uk",
        published_at=timezone.now(),
    )
    yes, no, _unanswered = PupilFactory.create_batch(3, school=school)
    ConsentRecord.objects.create(
        pupil=yes,
        provider=reviewed,
        given=True,
        method="paper",
        seq=1,
        by_pupil=True,
        recorded_by=dpo_user,
    )
    ConsentRecord.objects.create(
        pupil=no,
        provider=reviewed,
        given=False,
        method="paper",
        seq=1,
        by_pupil=True,
        recorded_by=dpo_user,
    )
    return reviewed


def test_the_dpo_sees_deadlines_first_then_families_and_offline_to_dos(dpo_client, busy_school):
    response = dpo_client.get(HOME)

    assert response.status_code == 200
    lines = list(todo_lines(response))
    assert lines == [
        "1 cloud provider's review is overdue",
        "1 subject access request is overdue",
        "1 subject access request is due within 5 working days",
        "1 pupil's family has not answered every consent question",
        "Seesaw: 1 offline alternative to arrange",
    ]


def test_each_to_do_links_to_the_list_that_resolves_it_with_the_same_count(dpo_client, busy_school):
    links = todo_lines(dpo_client.get(HOME))

    overdue = dpo_client.get(links["1 subject access request is overdue"])
    assert overdue.context["cl"].result_count == 1
    soon = dpo_client.get(links["1 subject access request is due within 5 working days"])
    assert soon.context["cl"].result_count == 1
    reviews = dpo_client.get(links["1 cloud provider's review is overdue"])
    assert reviews.context["cl"].result_count == 1
    offline = dpo_client.get(links["Seesaw: 1 offline alternative to arrange"])
    assert offline.status_code == 200
    assert offline.content.decode().count("Record that it is arranged") == 1


def test_office_staff_see_the_consent_to_dos_but_not_the_dpos_deadlines(office_client, busy_school):
    lines = list(todo_lines(office_client.get(HOME)))

    assert lines == [
        "1 pupil's family has not answered every consent question",
        "Seesaw: 1 offline alternative to arrange",
    ]


def test_with_nothing_to_do_the_page_says_so(office_client, school):
    html = office_client.get(HOME).content.decode()
    assert "Nothing needs doing now." in html


def test_the_header_names_the_school_not_the_product(office_client, school):
    html = office_client.get(HOME).content.decode()
    assert re.search(r'<div id="site-name"><a href="/admin/">Crook Primary School</a>', html)
    assert "<title>What needs doing | Crook Primary School</title>" in html


def test_each_chart_has_a_table_with_its_numbers(dpo_client, busy_school):
    html = dpo_client.get(HOME).content.decode()

    assert html.count('role="img"') == 5
    for n in range(1, 6):
        assert f'aria-describedby="chart-{n}-table"' in html
        assert f'<table id="chart-{n}-table">' in html
    # Consent per service: Seesaw, 1 yes, 1 no, 1 without an answer.
    assert re.search(r"<th scope=\"row\">Seesaw</th><td>1</td><td>1</td><td>1</td>", html)
    # Per service and year group: a grid cell, 2 of 3 asked have answered;
    # the table has Seesaw's heading, then Year 3 (the factory's).
    assert "<title>Seesaw, Year 3: 2 of 3 (67%)</title>" in html
    assert re.search(r'class="cov cov--mid"[^>]*><title>Seesaw, Year 3', html)
    assert re.search(
        r'<th scope="colgroup" colspan="4">Seesaw</th></tr>\s*'
        r'<tr><th scope="row">Year 3</th><td>1</td><td>1</td><td>1</td>',
        html,
    )
    # Providers by rating: one amber.
    assert re.search(r"<th scope=\"row\">Amber</th><td>1</td>", html)


def test_consent_charts_count_only_the_year_groups_a_service_asks_about(
    dpo_client, school, busy_school
):
    busy_school.year_groups = ["5", "6"]
    busy_school.save()
    PupilFactory(school=school, nc_year="5")
    PupilFactory(school=school, nc_year="6")
    PupilFactory(
        school=school,
        nc_year="6",
        enrolment_status="left",
        leaving_date=datetime.date(2026, 7, 20),
    )

    html = dpo_client.get(HOME).content.decode()

    # The Year 3 answers (busy_school's pupils) are not what Seesaw asks.
    assert re.search(r'<th scope="row">Seesaw</th><td>0</td><td>0</td><td>2</td>', html)
    assert re.search(
        r'colspan="4">Seesaw</th></tr>\s*'
        r'<tr><th scope="row">Year 5</th><td>0</td><td>0</td><td>1</td></tr>\s*'
        r'<tr><th scope="row">Year 6</th><td>0</td><td>0</td><td>1</td></tr>',
        html,
    )
    assert '<th scope="row">Year 3</th>' not in html


def test_office_staff_get_no_chart_of_what_they_cannot_see(office_client, busy_school):
    html = office_client.get(HOME).content.decode()
    assert "Cloud providers in use or proposed, by risk rating" in html  # may view providers
    assert "Consent answers per service" in html


def count_home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_home_page_makes_the_same_queries_for_10_and_1000_pupils(
    dpo_client, dpo_user, school, busy_school
):
    provider = busy_school
    pupils = PupilFactory.create_batch(10, school=school)
    with_10 = count_home_queries(dpo_client)

    more = PupilFactory.create_batch(987, school=school)  # 1,000 with busy_school's 3
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            pupil=p,
            provider=provider,
            given=i % 2 == 0,
            method="paper",
            seq=1,
            by_pupil=True,
            recorded_by=dpo_user,
        )
        for i, p in enumerate(pupils + more[:500])
    )
    AccessRequestFactory.create_batch(20, school=school)
    # More services and year groups: the per-year-group chart grows rows, not queries.
    InUseProviderFactory(school=school, service="Spelling Shed", year_groups=["5", "6"])
    for i, year in enumerate(("1", "2", "4", "5", "6")):
        Pupil.objects.filter(pk__in=[p.pk for p in more[i * 100 : i * 100 + 90]]).update(
            nc_year=year
        )
    with_1000 = count_home_queries(dpo_client)
    html = dpo_client.get(HOME).content.decode()
    assert "Families who have answered, per service and year group" in html
    assert 'colspan="4">Spelling Shed</th>' in html

    assert with_10 == with_1000
    assert with_1000 <= 25


def test_a_later_feature_plugs_in_its_to_dos_and_an_absent_one_is_skipped(
    office_client, school, monkeypatch
):
    feature = types.ModuleType("tests_fake_breaches_dashboard")
    feature.todos = lambda ctx: [  # type: ignore[attr-defined]
        dashboard.ToDo(
            "1 breach must be reported within 72 hours",
            1,
            "/admin/",
            dashboard.Urgency.OVERDUE,
            ctx.today,
        )
    ]
    monkeypatch.setitem(sys.modules, "tests_fake_breaches_dashboard", feature)
    feature.__spec__ = types.SimpleNamespace(name="tests_fake_breaches_dashboard")  # type: ignore[assignment]
    monkeypatch.setattr(
        dashboard,
        "PLUGIN_MODULES",
        ("tests_fake_breaches_dashboard", "sharing.no_such_feature_yet"),
    )

    lines = list(todo_lines(office_client.get(HOME)))

    assert lines == ["1 breach must be reported within 72 hours"]


def breadcrumbs(response) -> str:
    html = response.content.decode()
    # Django's own list markup (styled as the other pages' breadcrumbs).
    crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S)
    assert crumbs, "no breadcrumbs in Django's markup"
    items = re.findall(r"<li[^>]*>(.*?)</li>", crumbs.group(1), re.S)
    return " › ".join(re.sub(r"<[^>]+>", "", item).strip() for item in items)


def test_pupil_breadcrumbs_name_the_app_and_the_list_once_each(dpo_client, school):
    from .factories import PupilFactory

    pupil = PupilFactory(school=school, legal_forename="Ada", legal_surname="Lowe")
    pages = {
        "list": reverse("admin:pupils_pupil_changelist"),
        "page": reverse("admin:pupils_pupil_change", args=[pupil.pk]),
        "trail": reverse("admin:pupils_pupil_history", args=[pupil.pk]),
        "due": reverse("admin:pupils_retentionperiod_due"),
    }
    found = {name: breadcrumbs(dpo_client.get(url)).strip() for name, url in pages.items()}

    assert found["list"] == "Home › Pupils and school › Pupils"
    assert found["page"].startswith("Home › Pupils and school › Pupils › Ada Lowe (")
    assert found["trail"].startswith("Home › Pupils and school › Pupils › Ada Lowe (")
    assert found["trail"].endswith("› Trail")
    assert found["due"].startswith("Home › Pupils and school › Retention schedule › ")
    assert all("Pupils › Pupils" not in text for text in found.values())


def test_the_dpo_sees_breaches_near_or_past_their_ico_deadline_first(
    dpo_client, office_client, dpo_user, school
):
    from sharing.breaches import services

    now = timezone.now()
    reported = [
        services.report_breach(
            actor=dpo_user,
            school=school,
            summary="A class list was left on a train.",
            discovered_at=now - datetime.timedelta(hours=hours),
            noticed_by="Class teacher",
            data_involved="Names and dates of birth.",
            people_categories=["pupils"],
            people_affected=30,
        )
        # Aware 80 hours ago: overdue; 60 hours ago: due within 24 hours;
        # 5 hours ago: assessed below, with nothing left to do.
        for hours in (80, 60, 5)
    ]
    services.assess_breach(
        actor=dpo_user,
        breach=reported[2],
        became_aware_at=reported[2].discovered_at,
        likelihood="remote",
        severity="minimal",
        likely_consequences="None expected.",
        containment="The list was handed in at the station.",
        ico_decision="not_report",
        ico_reason="Unlikely to result in a risk to people.",
        tell_people="not_tell",
        tell_people_reason="No risk to them.",
    )

    html = dpo_client.get(HOME).content.decode()
    overdue = "1 breach is past its 72-hour deadline to tell the ICO"
    soon = "1 breach must be reported to the ICO or decided within 24 hours"
    unassessed = "2 breaches are not yet assessed"
    for line in (overdue, soon, unassessed):
        assert line in html
    assert html.index(overdue) < html.index(soon)
    assert f'href="{reverse("admin:sharing_breach_changelist")}"' in html
    # Office staff may report breaches but not assess them: no such lines.
    office_html = office_client.get(HOME).content.decode()
    assert "deadline to tell the ICO" not in office_html
    assert "not yet assessed" not in office_html


def test_a_school_that_moved_up_last_year_but_not_this_year_is_reminded(office_client, school):
    from pupils.schoolyear import academic_year_of

    this_year = academic_year_of(timezone.localdate())
    line = f"Year groups not yet moved up for {this_year}/{(this_year + 1) % 100:02d}"
    move_up = reverse("admin:pupils_pupil_move_up")

    # Never used the move-up (year groups as imported): no reminder.
    assert line not in office_client.get(HOME).content.decode()

    school.year_groups_moved_for = this_year - 1
    school.save(update_fields=["year_groups_moved_for"])
    html = office_client.get(HOME).content.decode()
    assert line in html and f'href="{move_up}"' in html

    school.year_groups_moved_for = this_year
    school.save(update_fields=["year_groups_moved_for"])
    html = office_client.get(HOME).content.decode()
    assert line not in html and "Nothing needs doing now." in html
