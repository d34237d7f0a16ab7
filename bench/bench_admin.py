"""Admin pupil list, pupil change page and staff home page with 10,000 (or
100,000) pupils on PostgreSQL.

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    args = parser.parse_args()
    setup_django("pupildata_bench_admin")

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pupils.models import StaffProfile
    from pupils.roles import DPO
    from tests.conftest import staff_client
    from tests.factories import UserFactory

    school = seed(args.pupils)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench-dpo").first()
    if user is None:
        user = UserFactory(username="bench-dpo", role=DPO, school=school)
    assert Group.objects.get(name=DPO) in user.groups.all()
    assert StaffProfile.objects.filter(user=user).exists()
    client = staff_client(user)
    pupil = school.pupils.order_by("legal_surname").first()
    pages = {
        "pupil list": reverse("admin:pupils_pupil_changelist"),
        "pupil list, search": reverse("admin:pupils_pupil_changelist") + "?q=Surname0042",
        "pupil list, filtered": reverse("admin:pupils_pupil_changelist") + "?nc_year=3&sen=N",
        "pupil change page": reverse("admin:pupils_pupil_change", args=[pupil.pk]),
        "staff home page": reverse("admin:index"),
    }
    print(f"{school.pupils.count()} pupils on PostgreSQL, {args.runs} runs per page")
    for label, url in pages.items():
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
