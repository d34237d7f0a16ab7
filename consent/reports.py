"""Read-only queries behind the staff pages: a fixed number of queries each,
however many pupils a school has."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from providers.models import Provider
from pupils.models import EnrolmentStatus, NCYear, Pupil, School

from .models import ConsentRecord, OfflineArrangement
from .queries import providers_needing_consent


def active_pupils(school: School) -> QuerySet[Pupil]:
    """Applicants and pupils on roll: everyone the school may still ask."""
    return Pupil.objects.for_school(school).exclude(enrolment_status=EnrolmentStatus.LEFT)


def _latest_given(provider: Provider):
    return Subquery(
        ConsentRecord.objects.filter(pupil=OuterRef("pk"), provider=provider)
        .order_by("-seq")
        .values("given")[:1]
    )


def not_to_set_up(provider: Provider) -> QuerySet[Pupil]:
    """Pupils who must NOT be set up on this provider: said no, or no answer yet."""
    return (
        active_pupils(provider.school)
        .annotate(latest_given=_latest_given(provider))
        .filter(Q(latest_given=False) | Q(latest_given__isnull=True))
        .order_by("nc_year", "legal_surname", "legal_forename", "pk")
    )


def offline_to_do(provider: Provider) -> QuerySet[Pupil]:
    """Pupils whose parents said no, with who arranged the offline alternative and when."""
    latest = OfflineArrangement.objects.filter(pupil=OuterRef("pk"), provider=provider).order_by(
        "-arranged_at"
    )
    return (
        active_pupils(provider.school)
        .annotate(latest_given=_latest_given(provider))
        .filter(latest_given=False)
        .annotate(
            arranged_at=Subquery(latest.values("arranged_at")[:1]),
            arranged_by=Subquery(latest.values("arranged_by__username")[:1]),
            arrangement_notes=Subquery(latest.values("notes")[:1]),
        )
        .order_by("arranged_at", "nc_year", "legal_surname", "pk")
    )


def pupils_missing_answers(school: School, providers: list[Provider]) -> QuerySet[Pupil]:
    ids = [p.pk for p in providers]
    return (
        active_pupils(school)
        .annotate(
            answered=Count(
                "consent_records__provider",
                filter=Q(consent_records__provider__in=ids),
                distinct=True,
            )
        )
        .filter(answered__lt=len(ids))
        .order_by("enrolment_status", "nc_year", "legal_surname", "pk")
    )


def pupils_missing_at(schools: Iterable[School]) -> list[Pupil]:
    """Applicants and pupils on roll at these schools still missing an answer
    for a service that needs consent (who a reminder goes to)."""
    pupils: list[Pupil] = []
    for school in schools:
        providers = list(providers_needing_consent(school))
        if providers:
            pupils += list(pupils_missing_answers(school, providers))
    return pupils


def _pct(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def overview(school: School) -> dict:
    """Answers per provider and year group: counts and percentages."""
    providers = list(providers_needing_consent(school))
    year_sizes = dict(
        active_pupils(school).values_list("nc_year").annotate(n=Count("pk")).order_by()
    )
    counts: dict = defaultdict(lambda: {True: 0, False: 0})
    rows = (
        ConsentRecord.objects.current()
        .filter(provider__in=providers, pupil__in=active_pupils(school))
        .values_list("provider_id", "pupil__nc_year", "given")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for provider_id, year, given, n in rows:
        counts[(provider_id, year)][given] = n
    labels = dict(NCYear.choices)
    table = []
    for provider in providers:
        years = []
        for year in [y for y in NCYear.values if y in year_sizes]:
            total = year_sizes[year]
            yes, no = counts[(provider.pk, year)][True], counts[(provider.pk, year)][False]
            missing = total - yes - no
            years.append(
                {
                    "year": labels[year],
                    "total": total,
                    "yes": yes,
                    "no": no,
                    "missing": missing,
                    "yes_pct": _pct(yes, total),
                    "no_pct": _pct(no, total),
                    "missing_pct": _pct(missing, total),
                }
            )
        table.append({"provider": provider, "years": years})
    return {"providers": providers, "table": table}


DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def not_to_set_up_csv(provider: Provider, pupils) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["UPN", "Surname", "Forename", "Year", "Status", "Answer", "Service"])
    for pupil in pupils:
        answer = "Refused" if pupil.latest_given is False else "No answer yet"
        writer.writerow(
            [
                csv_safe(v)
                for v in (
                    pupil.upn,
                    pupil.legal_surname,
                    pupil.forename,
                    pupil.get_nc_year_display(),
                    pupil.get_enrolment_status_display(),
                    answer,
                    provider.service,
                )
            ]
        )
    return out.getvalue()
