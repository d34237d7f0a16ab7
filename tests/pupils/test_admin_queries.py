"""The pupil list costs the same number of queries whatever its length,
counts only as far as it needs (never COUNT(*) over every pupil) and finds
pupils by the start of a name or a whole UPN (issue 17)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import PupilFactory


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:pupils_pupil_changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pupil_list_query_count_is_the_same_for_10_and_1000_pupils(dpo_client, school):
    PupilFactory.create_batch(10, school=school)
    with_10 = count_list_queries(dpo_client)

    PupilFactory.create_batch(990, school=school)
    with_1000 = count_list_queries(dpo_client)

    assert with_10 == with_1000
    assert with_1000 <= 12


def list_page(client, query: str = ""):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:pupils_pupil_changelist") + query)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def test_the_list_never_counts_the_whole_table(dpo_client, school):
    PupilFactory.create_batch(3, school=school)
    _, queries = list_page(dpo_client)
    counts = [sql for sql in queries if "COUNT(" in sql.upper()]
    assert counts, "the list counts its rows"
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_a_long_list_says_more_than_and_every_page_stays_reachable(dpo_client, school, monkeypatch):
    from pupils import admin as pupils_admin

    monkeypatch.setattr(pupils_admin, "COUNTED_PAGES_AHEAD", 0)
    monkeypatch.setattr(pupils_admin.PupilAdmin, "list_per_page", 2)
    names = [f"Pupil{n}" for n in range(5)]
    for name in names:
        PupilFactory(school=school, legal_surname=name)

    first, _ = list_page(dpo_client)
    html = first.content.decode()
    assert "More than 2 pupils" in html
    assert [p.legal_surname for p in first.context["cl"].result_list] == names[:2]
    assert "?p=2" in html  # the next page is offered

    second, _ = list_page(dpo_client, "?p=2")
    assert "More than 4 pupils" in second.content.decode()
    assert "?p=3" in second.content.decode()

    last, _ = list_page(dpo_client, "?p=3")
    assert [p.legal_surname for p in last.context["cl"].result_list] == names[4:]
    assert "5 pupils" in last.content.decode()
    assert "More than" not in last.content.decode()


def test_a_short_list_gives_its_exact_number(dpo_client, school):
    PupilFactory.create_batch(3, school=school)
    response, _ = list_page(dpo_client)
    assert "3 pupils" in response.content.decode()
    assert "More than" not in response.content.decode()


def test_search_finds_names_by_their_start_and_a_upn_whatever_its_case(dpo_client, school):
    smith = PupilFactory(school=school, legal_surname="Smith", legal_forename="Anna")
    known_as = PupilFactory(school=school, legal_surname="Jones", preferred_forename="Smitty")
    PupilFactory(school=school, legal_surname="Goldsmith", legal_forename="Ben")

    found, _ = list_page(dpo_client, "?q=smi")
    assert {p.pk for p in found.context["cl"].result_list} == {smith.pk, known_as.pk}

    by_upn, _ = list_page(dpo_client, f"?q={smith.upn.lower()}")
    assert [p.pk for p in by_upn.context["cl"].result_list] == [smith.pk]


def test_another_schools_pupils_are_not_listed_or_found(dpo_client, school, other_school):
    mine = PupilFactory(school=school, legal_surname="Smith")
    PupilFactory(school=other_school, legal_surname="Smith")
    found, _ = list_page(dpo_client, "?q=Smith")
    assert [p.pk for p in found.context["cl"].result_list] == [mine.pk]
