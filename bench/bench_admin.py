"""Admin pupil list, pupil change page and staff home page with 10,000 (or
100,000) pupils on PostgreSQL. The pupil's page is measured twice more for a
full Year 6 record (three contacts, seven years of attendance, assessments,
exclusions, SEN, medical conditions and consent answers), as office staff
and as the DPO (who also sees the special category sections).

Run: .venv/bin/python bench/bench_admin.py [--pupils 10000] [--runs 30] [--sql]
(BENCH_DATABASE_URL=postgres://... to choose the database.) Prints queries
per page, the median wall time of the runs and the median CPU time of this
process (in-process Django test client: what the application costs, without
a network or web server; the CPU figure is steadier on a busy machine).
"""

import argparse
import datetime
import time

from _setup import median_ms, setup_django


def seed(n: int) -> None:
    from pupils import models as m
    from pupils import upn

    school, _ = m.School.objects.get_or_create(
        urn="999001",
        defaults=dict(  # noqa: C408
            name="Bench Primary",
            la_code="840",
            estab_number="2999",
            school_type=m.SchoolType.MAINTAINED,
            address="1 Bench Lane",
            postcode="DL1 1AA",
            dpo_name="Bench DPO",
            dpo_email="dpo@bench.example",
        ),
    )
    have = school.pupils.count()
    if have >= n:
        return school
    pupils = [
        m.Pupil(
            school=school,
            upn=upn.make("840", "2999", (20 + i // 1000) % 100, i % 1000),  # unique to 100,000
            legal_surname=f"Surname{i:05d}",
            legal_forename=f"Forename{i % 97}",
            date_of_birth=datetime.date(2015 + i % 7, 1 + i % 12, 1 + i % 28),
            sex="F" if i % 2 else "M",
            nc_year=str(1 + i % 6),
            admission_date=datetime.date(2021, 9, 1),
            enrolment_status="on_roll",
        )
        for i in range(have, n)
    ]
    m.Pupil.objects.bulk_create(pupils, batch_size=2000)
    created = m.Pupil.objects.filter(school=school, special__isnull=True)
    m.SpecialCategoryRecord.objects.bulk_create(
        [m.SpecialCategoryRecord(pupil=p, ethnicity="WBRI", sen_provision="N") for p in created],
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
        cursor.execute("ANALYZE")
    return school


def seed_year6(school, office_user):
    """One Year 6 pupil with a full record (the pupil page tests' ``year6``)
    and answers for two consent purposes; made once, found again by name."""
    from consent.models import ConsentMethod
    from consent.services import record_consent
    from pupils import models as m
    from pupils.schoolyear import academic_year_of
    from tests.factories import (
        AssessmentFactory,
        AttendanceFactory,
        ContactFactory,
        InUseProviderFactory,
        MedicalConditionFactory,
        PublishedNoticeFactory,
        PupilContactFactory,
        PupilFactory,
        SpecialCategoryFactory,
    )

    found = school.pupils.filter(legal_surname="BenchYear6").first()
    if found is not None:
        return found
    this_year = academic_year_of(datetime.date.today())
    pupil = PupilFactory(
        school=school,
        legal_forename="Olivia",
        legal_surname="BenchYear6",
        preferred_forename="Liv",
        nc_year=m.NCYear.Y6,
        date_of_birth=datetime.date(this_year - 10, 3, 4),
        admission_date=datetime.date(this_year - 6, 9, 3),
    )
    contacts = []
    for n, relationship in enumerate(("PAM", "PAF", "GRP"), start=1):
        contact = ContactFactory(school=school, surname=f"BenchHart{n}")
        contacts.append(contact)
        PupilContactFactory(
            pupil=pupil,
            contact=contact,
            relationship=relationship,
            parental_responsibility=n < 3,
            priority=n,
        )
    for year in range(this_year - 6, this_year + 1):
        for term in ("AUT", "SPR", "SUM"):
            if year == this_year and term != "AUT":
                continue
            AttendanceFactory(pupil=pupil, academic_year=year, term=term)
    for year, stage, subject in (
        (this_year - 6, "EYFSP", "Communication and language"),
        (this_year - 4, "PSC", "Phonics"),
        (this_year - 2, "MTC", "Multiplication tables"),
        (this_year, "KS2", "Reading"),
        (this_year, "KS2", "Mathematics"),
    ):
        AssessmentFactory(pupil=pupil, academic_year=year, stage=stage, subject=subject)
    m.Exclusion.objects.create(
        pupil=pupil,
        category="SUSP",
        reason="PP",
        start_date=datetime.date(this_year - 1, 11, 3),
        sessions=2,
    )
    m.SpecialCategoryRecord.objects.filter(pupil=pupil).delete()
    SpecialCategoryFactory(pupil=pupil)
    m.SenNeed.objects.create(pupil=pupil, need_type="SPLD", rank=1)
    MedicalConditionFactory(pupil=pupil)
    MedicalConditionFactory(pupil=pupil, condition="Eczema")
    if not school.privacy_notices.exists():
        PublishedNoticeFactory(school=school)
    for service, given in (("Bench Maths", True), ("Bench Journal", False)):
        provider = InUseProviderFactory(school=school, service=service, name=f"{service} Ltd")
        record_consent(
            actor=office_user,
            pupil=pupil,
            provider=provider,
            given=given,
            given_by_contact=contacts[0],
            method=ConsentMethod.PAPER,
        )
    return pupil


def profile(client, url: str, runs: int) -> None:
    """Where the Year 6 page's time goes: the top of a cProfile over ``runs``
    GETs, and how often the usual suspects are called per page."""
    import cProfile
    import pstats

    client.get(url, secure=True)  # warm up
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url, secure=True)
    profiler.disable()
    stats = pstats.Stats(profiler)
    for order in ("cumulative", "tottime"):
        stats.sort_stats(order).print_stats(25)
    suspects = ("gettext", "ngettext", "do_translate", "render", "get_context")
    print("calls per page:")
    for (filename, _line, name), row in sorted(stats.stats.items()):  # type: ignore[attr-defined]
        if name in suspects and ("translation" in filename or "widgets" in filename):
            print(f"  {row[1] // runs:6d}  {name}  ({filename.split('site-packages/')[-1]})")
    template_renders = sum(
        row[1]
        for (filename, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if name == "render" and filename.endswith("django/template/base.py")
    )
    print(f"  {template_renders // runs:6d}  Template/Node render (django/template/base.py)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the Year 6 page (cProfile, by cumulative and own time) and stop",
    )
    args = parser.parse_args()
    setup_django("pupildata_bench_admin")

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pupils.models import StaffProfile
    from pupils.roles import DPO, OFFICE_STAFF
    from tests.conftest import staff_client
    from tests.factories import UserFactory

    school = seed(args.pupils)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench-dpo").first()
    if user is None:
        user = UserFactory(username="bench-dpo", role=DPO, school=school)
    assert Group.objects.get(name=DPO) in user.groups.all()
    assert StaffProfile.objects.filter(user=user).exists()
    office = get_user_model().objects.filter(username="bench-office").first()
    if office is None:
        office = UserFactory(username="bench-office", role=OFFICE_STAFF, school=school)
    dpo_client = staff_client(user)
    office_client = staff_client(office)
    pupil = school.pupils.order_by("legal_surname").first()
    year6 = seed_year6(school, office)
    year6_url = reverse("admin:pupils_pupil_change", args=[year6.pk])
    pages = {
        "pupil list": reverse("admin:pupils_pupil_changelist"),
        "pupil list, search": reverse("admin:pupils_pupil_changelist") + "?q=Surname0042",
        "pupil list, filtered": reverse("admin:pupils_pupil_changelist") + "?nc_year=3&sen=N",
        "pupil change page": reverse("admin:pupils_pupil_change", args=[pupil.pk]),
        "staff home page": reverse("admin:index"),
        "Year 6 page, DPO": year6_url,
        "Year 6 page, office": year6_url,
    }
    if args.profile:
        profile(dpo_client, year6_url, args.runs)
        return
    print(f"{school.pupils.count()} pupils on PostgreSQL, {args.runs} runs per page")
    for label, url in pages.items():
        client = office_client if label.endswith("office") else dpo_client
        client.get(url, secure=True)  # warm up
        samples, cpu = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, secure=True)
                samples.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200, (label, response.status_code)
        queries, median = len(ctx.captured_queries), median_ms(samples)
        print(
            f"{label:24s} {queries:3d} queries  median {median:7.1f} ms"
            f"  (Django's own CPU {median_ms(cpu):6.1f} ms)"
        )
        if args.sql:
            for query in ctx.captured_queries:
                print("    ", query["sql"][:160])
    print(
        f"command: .venv/bin/python bench/bench_admin.py --pupils {args.pupils} --runs {args.runs}"
    )


if __name__ == "__main__":
    main()
