"""The DPO's "due for erasure" page: the list, the confirmation, scoping."""

import datetime

from pupils import models as pm
from pupils.retention.services import place_hold

from ..factories import MedicalConditionFactory, PupilFactory

URL = "/admin/pupils/retentionperiod/due/"


def left_long_ago(school, surname: str) -> pm.Pupil:
    pupil = PupilFactory(
        school=school,
        legal_surname=surname,
        date_of_birth=datetime.date(1995, 3, 10),
        admission_date=datetime.date(1999, 9, 1),
        leaving_date=datetime.date(2006, 7, 20),
        enrolment_status=pm.EnrolmentStatus.LEFT,
    )
    MedicalConditionFactory(pupil=pupil, condition="Epilepsy")
    return pupil


def test_the_dpo_sees_what_is_due_why_and_what_holds_it(school, dpo_user, dpo_client):
    gone = left_long_ago(school, "Longgone")
    held = left_long_ago(school, "Keptback")
    place_hold(actor=dpo_user, pupil=held, reason="claim")
    PupilFactory(school=school, legal_surname="Onroll")

    page = dpo_client.get(URL).content.decode()

    assert "Longgone" in page and gone.upn in page
    assert "until the pupil&#x27;s 25th birthday" in page
    assert "Kept:</strong> Legal hold: A claim or legal proceedings are expected" in page
    assert "Onroll" not in page
    assert "Erase the due records of 1 pupil" in page
    assert "Retention schedule" in page and "IRMS Information Management Toolkit" in page


def test_erasing_without_the_confirmation_changes_nothing(school, dpo_client):
    gone = left_long_ago(school, "Longgone")

    response = dpo_client.post(URL, {"pupils": str(gone.pk)})

    assert response.status_code == 200
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert pm.Pupil.objects.filter(pk=gone.pk).exists()


def erase(client, data, capture):
    """Post the confirmation; the job it starts runs when the request commits."""
    with capture(execute=True):
        return client.post(URL, data)


def test_erasing_after_the_confirmation_erases_only_the_pupils_shown(
    school, dpo_client, django_capture_on_commit_callbacks
):
    shown = left_long_ago(school, "Longgone")
    arrived_since = left_long_ago(school, "Notyetshown")

    response = erase(
        dpo_client, {"pupils": str(shown.pk), "confirm": "on"}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert not pm.Pupil.objects.filter(pk=shown.pk).exists()
    assert pm.Pupil.objects.filter(pk=arrived_since.pk).exists()
    entry = pm.AuditEvent.objects.filter(action="erase", pupil_id=shown.pk).first()
    assert entry.actor_label == "dpo" and "by staff" in entry.summary


def test_a_pupil_held_after_the_page_was_shown_is_not_erased(
    school, dpo_user, dpo_client, django_capture_on_commit_callbacks
):
    gone = left_long_ago(school, "Longgone")
    place_hold(actor=dpo_user, pupil=gone, reason="safeguarding")

    erase(dpo_client, {"pupils": str(gone.pk), "confirm": "on"}, django_capture_on_commit_callbacks)

    assert pm.MedicalCondition.objects.filter(pupil=gone).exists()


def test_another_schools_dpo_neither_sees_nor_erases_this_schools_pupils(
    school, other_school_client, django_capture_on_commit_callbacks
):
    gone = left_long_ago(school, "Longgone")

    page = other_school_client.get(URL).content.decode()
    data = {"pupils": str(gone.pk), "confirm": "on"}
    erase(other_school_client, data, django_capture_on_commit_callbacks)

    assert "Longgone" not in page and "Nothing is due for erasure today." in page
    assert pm.Pupil.objects.filter(pk=gone.pk).exists()


def test_office_staff_are_refused(school, office_client):
    left_long_ago(school, "Longgone")
    assert office_client.get(URL).status_code == 403
    assert office_client.post(URL, {"confirm": "on"}).status_code == 403


def test_the_page_makes_the_same_queries_whatever_the_number_due(
    school, dpo_user, dpo_client, django_assert_max_num_queries
):
    def queries() -> int:
        with django_assert_max_num_queries(17) as counted:
            assert dpo_client.get(URL).status_code == 200
        return len(counted.captured_queries)

    place_hold(actor=dpo_user, pupil=left_long_ago(school, "Gone0"), reason="claim")
    with_1 = queries()
    for i in range(1, 20):
        left_long_ago(school, f"Gone{i}")
    place_hold(actor=dpo_user, pupil=left_long_ago(school, "Gone20"), reason="claim")
    assert "Gone19" in dpo_client.get(URL).content.decode()
    assert queries() == with_1


def test_the_dpo_places_a_hold_in_the_staff_site_and_releases_it(school, dpo_client):
    gone = left_long_ago(school, "Longgone")

    response = dpo_client.post(
        "/admin/pupils/legalhold/add/", {"pupil": gone.pk, "reason": "claim", "note": ""}
    )

    assert response.status_code == 302
    hold = pm.LegalHold.objects.get(pupil=gone)
    assert hold.placed_by.username == "dpo" and hold.is_active
    assert pm.AuditEvent.objects.filter(object_type="pupils.legalhold", action="create").exists()
    dpo_client.post(
        "/admin/pupils/legalhold/",
        {"action": "release", "_selected_action": [hold.pk], "index": 0},
    )
    hold.refresh_from_db()
    assert not hold.is_active and hold.released_by.username == "dpo"


def test_a_hold_cannot_be_placed_on_another_schools_pupil(school, other_school, dpo_client):
    elsewhere = left_long_ago(other_school, "Elsewhere")

    response = dpo_client.post(
        "/admin/pupils/legalhold/add/", {"pupil": elsewhere.pk, "reason": "claim"}
    )

    assert response.status_code == 200  # the form refuses the choice
    assert not pm.LegalHold.objects.exists()


def test_the_dpo_changes_a_period_from_the_default_in_the_staff_site(school, dpo_client):
    form = dpo_client.get(
        f"/admin/pupils/retentionperiod/add/?school={school.pk}&kind=consent"
    ).content.decode()
    assert "evidence of consent" in form  # the default's reason, to start from

    response = dpo_client.post(
        "/admin/pupils/retentionperiod/add/",
        {
            "school": school.pk,
            "kind": "consent",
            "amount": 2,
            "unit": "years",
            "reason": "Governors chose two years.",
            "source": "Governing body minutes, March 2026",
        },
    )

    assert response.status_code == 302
    row = pm.RetentionPeriod.objects.get(school=school, kind="consent")
    assert (row.amount, row.unit) == (2, "years")
    page = dpo_client.get(URL).content.decode()
    assert "Governors chose two years." in page and "2 years after the pupil leaves" in page


def test_a_pupil_cannot_be_deleted_from_the_staff_site_only_erased(school, dpo_client):
    """A plain delete would skip the holds, the other apps' erasure steps and
    the trail: the pupil's page points to the erasure page instead."""
    pupil = left_long_ago(school, "Longgone")
    change_url = f"/admin/pupils/pupil/{pupil.pk}/change/"

    page = dpo_client.get(change_url).content.decode()
    assert f"/admin/pupils/pupil/{pupil.pk}/delete/" not in page
    assert URL in page  # "Erasing records: due for erasure"
    assert dpo_client.get(f"/admin/pupils/pupil/{pupil.pk}/delete/").status_code == 403
    response = dpo_client.post(f"/admin/pupils/pupil/{pupil.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    listing = dpo_client.get("/admin/pupils/pupil/")
    assert 'value="delete_selected"' not in listing.content.decode()
    response = dpo_client.post(
        "/admin/pupils/pupil/",
        {"action": "delete_selected", "_selected_action": [pupil.pk], "post": "yes"},
    )
    assert pm.Pupil.objects.filter(pk=pupil.pk).exists()
    assert pm.MedicalCondition.objects.filter(pupil=pupil).exists()


def test_office_staff_get_no_erasure_link_on_the_pupils_page(school, office_client):
    pupil = left_long_ago(school, "Longgone")
    page = office_client.get(f"/admin/pupils/pupil/{pupil.pk}/change/").content.decode()
    assert URL not in page


def test_the_erasure_runs_as_a_background_job_with_its_progress_page(
    school, dpo_client, django_capture_on_commit_callbacks
):
    """10,000 pupils take minutes: the request only queues the job."""
    gone = [left_long_ago(school, f"Longgone{i}") for i in range(3)]
    data = {"pupils": ",".join(str(p.pk) for p in gone), "confirm": "on"}

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = dpo_client.post(URL, data)

    job = pm.Job.objects.get(kind="retention_erase")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pupils/job/{job.pk}/progress/"
    assert pm.Pupil.objects.filter(pk__in=[p.pk for p in gone]).count() == 3  # not yet
    assert job.total == 3 and job.arguments["pupil_ids"] == sorted(p.pk for p in gone)
    assert "Longgone" not in str(job.arguments)  # ids only
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.outcome == "The due records of 3 pupils were erased."
    assert not pm.Pupil.objects.filter(pk__in=[p.pk for p in gone]).exists()
    page = dpo_client.get(f"/admin/pupils/job/{job.pk}/progress/").content.decode()
    assert "The due records of 3 pupils were erased." in page


def test_a_pupil_the_last_run_could_not_erase_is_shown_on_the_page(school, dpo_client, monkeypatch):
    from django.db.models import ProtectedError

    from pupils.retention import registry
    from pupils.retention.services import SCHEDULE_ACTOR, erase_due

    stuck = left_long_ago(school, "Stuckhere")
    left_long_ago(school, "Goesfine")

    def refuse(erasing):
        if stuck.pk in erasing.pupil_ids:
            raise ProtectedError("still referenced", set())
        return {}

    monkeypatch.setattr(registry, "_steps", [*registry._steps, (None, refuse)])
    run = erase_due(actor=SCHEDULE_ACTOR, as_of=datetime.date(2026, 11, 30))
    assert [f.pupil_id for f in run.failed] == [stuck.pk] and len(run.erased) == 1

    page = dpo_client.get(URL).content.decode()

    assert "1 pupil below could not be erased by the last run" in page
    assert "Not erased:</strong> the erasure stopped with an error" in page
    assert "Goesfine" not in page


def test_a_period_the_rule_refuses_is_an_error_on_the_form_never_a_success(school, dpo_client):
    """The audit trail has no period: the admin once showed the error and
    then "added successfully" with a link to .../None/change/."""
    response = dpo_client.post(
        "/admin/pupils/retentionperiod/add/",
        {
            "school": school.pk,
            "kind": "audit_trail",
            "amount": 1,
            "unit": "years",
            "reason": "Shorter.",
            "source": "Nobody",
        },
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain == []  # the form again, not a redirect
    assert "The audit trail is kept: it has no period to set." in page
    assert "successfully" not in page and "/None/change/" not in page
    assert not pm.RetentionPeriod.objects.exists()


def test_a_change_to_a_blank_period_is_refused_on_the_form(school, dpo_user, dpo_client):
    from pupils.retention.services import set_retention_period

    row = set_retention_period(
        actor=dpo_user, school=school, kind="consent", amount=2, unit="years",
        reason="Governors.", source="Minutes",
    )  # fmt: skip

    response = dpo_client.post(
        f"/admin/pupils/retentionperiod/{row.pk}/change/",
        {"amount": "", "unit": "years", "reason": "Forever.", "source": "Nobody"},
    )

    assert response.status_code == 200
    assert "Give a period: only the audit trail is kept." in response.content.decode()
    row.refresh_from_db()
    assert row.amount == 2
