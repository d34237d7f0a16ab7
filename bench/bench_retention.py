"""Benchmark: the retention dry run and --apply over 10,000 due pupils on
PostgreSQL (docs/retention.md).

Run:  .venv/bin/python bench/bench_retention.py [--pupils 10000] [--db NAME] [--dry-run-only]
      [--show-queries]  (prints the SQL of one pupil's erasure)

Builds a fresh database (pupildata_bench_retention): one school with
``--pupils`` pupils who left in 2006 (born 1995), each with two contacts,
a medical condition, an SEN need, ethnicity, two assessment results, three
terms of attendance and a consent answer, all on one census disclosure; one
in a hundred has an answered access request with its response produced,
sent (a disclosure naming the UPN) and its PDF kept, one in a hundred a
legal hold.
Then it times the dry run (the due list) and the erasure, counting queries.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django  # noqa: E402

AS_OF = datetime.date(2026, 11, 30)


def build(n: int):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from consent.models import ConsentRecord
    from providers.models import Provider
    from pupils import models as pm
    from pupils import upn
    from sharing.models import AccessRequest, Disclosure

    school = pm.School.objects.create(
        name="Bench Primary", urn="199999", la_code="840", estab_number="2999",
        school_type="maintained", address="1 Lane", postcode="DL1 1AA", dpo_name="D",
        dpo_email="dpo@bench.example",
    )  # fmt: skip
    staff = User.objects.create(username="bench-dpo", is_staff=True)
    provider = Provider.objects.create(
        school=school, name="P Ltd", service="Maths", purpose="p", website="https://p.example",
        privacy_policy_url="https://p.example/privacy", data_categories=["name"],
        data_fields="name", pupils_covered="all", storage_location="uk", lawful_basis="consent",
        status="in_use", offline_alternative="Worksheets", dpa_signed_on=datetime.date(2020, 1, 1),
        contract_reference="DPA-1", contract_location="Office safe",
    )  # fmt: skip
    pupils = pm.Pupil.objects.bulk_create(
        pm.Pupil(
            school=school, upn=upn.make("840", "2999", 80 + i // 1000, i % 1000),
            legal_surname=f"Surname{i}",
            legal_forename=f"Forename{i}", date_of_birth=datetime.date(1995, 3, 10), sex="F",
            nc_year="6", admission_date=datetime.date(1999, 9, 1),
            leaving_date=datetime.date(2006, 7, 20), enrolment_status="left",
            address_line1=f"{i} Bench Road", postcode="DL1 1AA",
        )
        for i in range(n)
    )  # fmt: skip
    contacts = pm.Contact.objects.bulk_create(
        pm.Contact(school=school, forename=f"Parent{i}", surname=f"Surname{i // 2}",
                   email=f"p{i}@bench.example")
        for i in range(2 * n)
    )  # fmt: skip
    pm.PupilContact.objects.bulk_create(
        pm.PupilContact(pupil=p, contact=contacts[2 * i + k], relationship="PAM", priority=k + 1)
        for i, p in enumerate(pupils)
        for k in (0, 1)
    )
    pm.MedicalCondition.objects.bulk_create(
        pm.MedicalCondition(pupil=p, condition="Epilepsy", notes="Care plan") for p in pupils
    )
    pm.SenNeed.objects.bulk_create(pm.SenNeed(pupil=p, need_type="SPLD") for p in pupils)
    pm.SpecialCategoryRecord.objects.bulk_create(
        pm.SpecialCategoryRecord(pupil=p, ethnicity="WBRI", sen_provision="K") for p in pupils
    )
    pm.AssessmentResult.objects.bulk_create(
        pm.AssessmentResult(pupil=p, stage=s, subject="Maths", method="TA", result="EXS",
                            academic_year=2005)
        for p in pupils
        for s in ("KS1", "KS2")
    )  # fmt: skip
    pm.AttendanceSummary.objects.bulk_create(
        pm.AttendanceSummary(pupil=p, academic_year=2005, term=t, possible_sessions=120,
                             attended_sessions=110, authorised_absences=8,
                             unauthorised_absences=2)
        for p in pupils
        for t in ("AUT", "SPR", "SUM")
    )  # fmt: skip
    ConsentRecord.objects.bulk_create(
        ConsentRecord(pupil=p, provider=provider, seq=1, given=True,
                      given_by_contact=contacts[2 * i], method="paper", recorded_by=staff)
        for i, p in enumerate(pupils)
    )  # fmt: skip
    census = Disclosure.objects.create(
        school=school, recipient_type="dfe", recipient_name="DfE", gateway="census",
        dataset="census", census_term="SUM", census_date=datetime.date(2006, 5, 18),
        categories=["identity"], method="collect",
    )  # fmt: skip
    Disclosure.pupils.through.objects.bulk_create(
        Disclosure.pupils.through(disclosure=census, pupil=p) for p in pupils
    )
    for p in pupils[::100]:
        request = AccessRequest.objects.create(
            school=school, requester_name=p.legal_surname, requester_relationship="pupil",
            channel="email", received_at=timezone.now(), received_on=AS_OF,
            status="answered", answered_on=AS_OF, identity_check="document",
            identity_checked_on=AS_OF,
        )  # fmt: skip
        request.pupils.add(p)
        _produced_and_sent(request, p, school)
    pm.LegalHold.objects.bulk_create(
        pm.LegalHold(pupil=p, reason="claim", placed_by=staff) for p in pupils[50::100]
    )
    return school, census


def _produced_and_sent(request, pupil, school) -> None:
    """The answered request's response: produced (its row and the PDF kept
    for staff), sent, and logged as a disclosure naming the pupil's UPN."""
    from django.utils import timezone

    from sharing.models import AccessResponse, Disclosure, ResponseFile

    sent = Disclosure.objects.create(
        school=school, recipient_type="requester", recipient_name=pupil.legal_surname,
        gateway="subject_access", dataset="subject_access", categories=["identity"],
        method="secure_email", file_name=f"access-response-{pupil.upn}.pdf",
    )  # fmt: skip
    sent.pupils.add(pupil)
    response = AccessResponse.objects.create(
        request=request, pupil=pupil, produced_at=timezone.now(), produced_by="bench-dpo",
        file_sha256="0" * 64, categories=["identity"], sent_on=AS_OF,
        sent_method="secure_email", sent_to=f"{pupil.legal_surname}@adult.example",
        disclosure=sent,
    )  # fmt: skip
    ResponseFile.objects.create(
        school=school, request=request, pupil=pupil, response=response, draft=False,
        content=b"%PDF-1.7 " + b"x" * 20_000, sha256="0" * 64, size=20_009,
    )  # fmt: skip


def timed(label: str, fn):
    """Run ``fn``; print and return its result, seconds and query count (a
    counter, not the query log: that keeps only the last 9,000)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s, {count} queries")
    return result, seconds, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--db", default="pupildata_bench_retention", help="dropped and rebuilt")
    parser.add_argument("--dry-run-only", action="store_true", help="skip --apply")
    parser.add_argument("--show-queries", action="store_true", help="one pupil's SQL")
    args = parser.parse_args()
    setup_django(args.db, fresh=True)
    from pupils.audit import verify_chain
    from pupils.models import Pupil
    from pupils.retention.due import due_for_erasure
    from pupils.retention.services import erase_due

    started = time.perf_counter()
    school, census = build(args.pupils)
    print(f"Built {args.pupils} due pupils in {time.perf_counter() - started:.1f} s")

    due, _s, _q = timed("Dry run (due list)", lambda: due_for_erasure(as_of=AS_OF))
    held = sum(1 for d in due if d.held)
    print(f"  listed {len(due)} pupils, {held} held")
    if args.dry_run_only:
        return
    if args.show_queries:
        _show_one(due)
    run, seconds, queries = timed(
        "--apply (erasure)", lambda: erase_due(actor="retention schedule", as_of=AS_OF)
    )
    n = len(run.erased)
    print(f"  not erased (errors): {len(run.failed)}")
    print(
        f"  erased {n} pupils: {seconds / n * 1000:.1f} ms and {queries / n:.1f} queries per pupil"
    )
    census.refresh_from_db()
    print(f"  census disclosure: {census.pupils.count()} linked + {census.erased_pupils} erased")
    print(f"  pupils left: {Pupil.objects.count()} (the held ones)")
    print(f"  verify_audit: {'passes' if verify_chain() is None else 'BROKEN'}")


def _show_one(due) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pupils.retention.services import erase_pupil

    one = next(d for d in due if not d.held)
    with CaptureQueriesContext(connection) as ctx:
        erase_pupil(actor="retention schedule", due=one)
    for query in ctx.captured_queries:
        print("   ", query["sql"][:160])
    print(f"  one pupil: {len(ctx.captured_queries)} queries")


if __name__ == "__main__":
    main()
