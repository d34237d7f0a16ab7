"""The staff home page: what needs doing first, then the state at a glance.

The to-do list is built from *to-do sources*: functions that take a
``Context`` (who is asking, their schools, today) and return ``ToDo`` items.
The sources for the features that exist are registered below. A feature
added later (breaches, failed e-mails, retention, other kinds of request)
plugs in by offering a module ``<app>.dashboard`` (for example
``sharing/dashboard.py``) with a function ``todos(context)``; the home page
finds it if it is there and carries on without it if it is not. Nothing here
imports a feature that may be absent.

Every source makes a fixed number of queries, whatever the number of pupils
or records (tests/test_staff_home.py pins it at 10 and 1,000 pupils).
``config`` sits above every app, so it may import all of them.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consent.models import ConsentRecord, OfflineArrangement
from consent.queries import uses_year
from consent.reports import active_pupils, pupils_missing_answers
from providers import review
from providers.models import Provider, ProviderStatus, Rating
from providers.review import ReviewState
from pupils.models import EnrolmentStatus, NCYear, Pupil, School
from pupils.schoolyear import academic_year_of, school_year_label
from sharing.access.models import AccessRequest, AccessRequestStatus
from sharing.deadlines import due_soon_limit
from sharing.disclosures.models import Disclosure


class Urgency(IntEnum):
    """How soon it must be done; the list is sorted by this, then by date."""

    OVERDUE = 0  # a legal deadline or a promised date has passed
    DUE_SOON = 1
    TO_DO = 2  # waiting for someone, no deadline of its own


URGENCY_TAGS = {
    Urgency.OVERDUE: ("overdue", "Overdue"),
    Urgency.DUE_SOON: ("due-soon", "Due soon"),
    Urgency.TO_DO: ("to-do", "To do"),
}


@dataclass(frozen=True)
class ToDo:
    """One line of the to-do list: a count of things and where to resolve them."""

    text: str  # "1 access request is overdue"
    count: int
    url: str  # the list that resolves it
    urgency: Urgency
    due_on: datetime.date | None = None  # the earliest date concerned, if any

    @property
    def tag_class(self) -> str:
        return URGENCY_TAGS[self.urgency][0]

    @property
    def tag_label(self) -> str:
        return _(URGENCY_TAGS[self.urgency][1])


@dataclass
class Context:
    user: object
    schools: list[School]
    today: datetime.date
    #: Counts several charts share, fetched once per page.
    cache: dict[str, Any] = field(default_factory=dict)

    def can(self, perm: str) -> bool:
        return bool(self.user.has_perm(perm))  # type: ignore[attr-defined]


ToDoSource = Callable[[Context], Iterable[ToDo]]

#: The built-in sources, in no particular order (the list is sorted).
SOURCES: list[ToDoSource] = []
#: Modules a later feature may add; each offers ``todos(context)``.
PLUGIN_MODULES = (
    "pupils.dashboard",
    "providers.dashboard",
    "consent.dashboard",
    "sharing.dashboard",
)


def source(fn: ToDoSource) -> ToDoSource:
    SOURCES.append(fn)
    return fn


def plugin_sources() -> list[ToDoSource]:
    """``todos`` of each plug-in module that exists. A module that exists but
    fails to import is a bug and raises; a missing one is a feature not
    built yet."""
    found = []
    for name in PLUGIN_MODULES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name).todos)
    return found


def todos(context: Context) -> list[ToDo]:
    """Everything that needs doing, most urgent first, then soonest due."""
    items = [item for fn in (*SOURCES, *plugin_sources()) for item in fn(context) if item.count]
    far = datetime.date.max
    return sorted(items, key=lambda t: (t.urgency, t.due_on or far))


def context_for(user) -> Context:
    return Context(
        user=user,
        schools=list(School.objects.visible_to(user).order_by("name", "pk")),
        today=timezone.localdate(),
    )


# --- Built-in sources ---------------------------------------------------------


@source
def access_requests(ctx: Context) -> Iterable[ToDo]:
    """Subject access requests overdue or due within 5 working days (one query)."""
    if not ctx.can("sharing.handle_access_request"):
        return []
    soon = due_soon_limit(ctx.today)
    open_ = AccessRequest.objects.filter(school__in=ctx.schools).open()
    counts = open_.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=ctx.today)),
        first_overdue=Min("due_on", filter=Q(due_on__lt=ctx.today)),
        soon=Count("pk", filter=Q(due_on__gte=ctx.today, due_on__lte=soon)),
        first_soon=Min("due_on", filter=Q(due_on__gte=ctx.today, due_on__lte=soon)),
    )
    url = reverse("admin:sharing_accessrequest_changelist")
    return [
        ToDo(
            ngettext(
                "%(n)d subject access request is overdue",
                "%(n)d subject access requests are overdue",
                counts["overdue"],
            )
            % {"n": counts["overdue"]},
            counts["overdue"],
            f"{url}?urgency=overdue",
            Urgency.OVERDUE,
            counts["first_overdue"],
        ),
        ToDo(
            ngettext(
                "%(n)d subject access request is due within 5 working days",
                "%(n)d subject access requests are due within 5 working days",
                counts["soon"],
            )
            % {"n": counts["soon"]},
            counts["soon"],
            f"{url}?urgency=soon",
            Urgency.DUE_SOON,
            counts["first_soon"],
        ),
    ]


@source
def provider_reviews(ctx: Context) -> Iterable[ToDo]:
    """Cloud providers whose risk review is overdue or due within 30 days (one query)."""
    if not ctx.can("providers.add_riskassessment"):
        return []
    states = {
        s: review.review_state_q(s, ctx.today) for s in (ReviewState.OVERDUE, ReviewState.DUE)
    }
    counts = (
        Provider.objects.filter(school__in=ctx.schools)
        .with_last_assessment()
        .aggregate(
            overdue=Count("pk", filter=states[ReviewState.OVERDUE]),
            first_overdue=Min("next_review_on", filter=states[ReviewState.OVERDUE]),
            due=Count("pk", filter=states[ReviewState.DUE]),
            first_due=Min("next_review_on", filter=states[ReviewState.DUE]),
        )
    )
    url = reverse("admin:providers_provider_changelist")
    return [
        ToDo(
            ngettext(
                "%(n)d cloud provider's review is overdue",
                "%(n)d cloud providers' reviews are overdue",
                counts["overdue"],
            )
            % {"n": counts["overdue"]},
            counts["overdue"],
            f"{url}?review={ReviewState.OVERDUE}",
            Urgency.OVERDUE,
            counts["first_overdue"],
        ),
        ToDo(
            ngettext(
                "%(n)d cloud provider's review is due within %(days)d days",
                "%(n)d cloud providers' reviews are due within %(days)d days",
                counts["due"],
            )
            % {"n": counts["due"], "days": review.DUE_SOON_DAYS},
            counts["due"],
            f"{url}?review={ReviewState.DUE}",
            Urgency.DUE_SOON,
            counts["first_due"],
        ),
    ]


@source
def year_groups(ctx: Context) -> Iterable[ToDo]:
    """Schools that moved their pupils up a year for an earlier school year
    but not yet for this one (no query: the schools are loaded). A school
    that never used the move-up keeps its year groups as imported."""
    if not ctx.can("pupils.change_pupil"):
        return []
    this_year = academic_year_of(ctx.today)
    behind = [
        s
        for s in ctx.schools
        if s.year_groups_moved_for is not None and s.year_groups_moved_for < this_year
    ]
    if not behind:
        return []
    label = school_year_label(this_year)
    return [
        ToDo(
            ngettext(
                "Year groups not yet moved up for %(year)s: move everyone up a year",
                "%(n)d schools' year groups not yet moved up for %(year)s",
                len(behind),
            )
            % {"n": len(behind), "year": label},
            len(behind),
            reverse("admin:pupils_pupil_move_up"),
            Urgency.DUE_SOON,
        )
    ]


@source
def consent_answers(ctx: Context) -> Iterable[ToDo]:
    """Per school: pupils whose family has not answered for every service
    that needs consent, and per service the offline alternatives still to
    arrange (three queries a school)."""
    if not ctx.can("consent.add_consentrequest") and not ctx.can("consent.add_offlinearrangement"):
        return []
    found: list[ToDo] = []
    for school in ctx.schools:
        found += _consent_answers_at(ctx, school)
    return found


def _consent_answers_at(ctx: Context, school: School) -> list[ToDo]:
    providers = list(Provider.objects.for_school(school).needing_consent().order_by("service"))
    if not providers:
        return []
    pupils = active_pupils(school)
    current = ConsentRecord.objects.current().filter(provider__in=providers, pupil__in=pupils)
    found = []
    if ctx.can("consent.add_consentrequest"):
        # The consent app's own rule (year groups, kinds of purpose): one query.
        answered = pupils_missing_answers(school, providers).count()
        overview = reverse("admin:consent_overview")
        where = f" ({school.name})" if len(ctx.schools) > 1 else ""
        found.append(
            ToDo(
                ngettext(
                    "%(n)d pupil's family has not answered every consent question%(where)s",
                    "%(n)d pupils' families have not answered every consent question%(where)s",
                    answered,
                )
                % {"n": answered, "where": where},
                answered,
                f"{overview}?school={school.pk}",
                Urgency.TO_DO,
            )
        )
    if ctx.can("consent.add_offlinearrangement"):
        arranged = OfflineArrangement.objects.filter(
            pupil=OuterRef("pupil"), provider=OuterRef("provider")
        )
        per_provider = dict(
            current.filter(given=False)
            .filter(~Exists(arranged))
            .values_list("provider")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for provider in providers:
            n = per_provider.get(provider.pk, 0)
            found.append(
                ToDo(
                    ngettext(
                        "%(service)s: %(n)d offline alternative to arrange",
                        "%(service)s: %(n)d offline alternatives to arrange",
                        n,
                    )
                    % {"service": provider.service, "n": n},
                    n,
                    reverse("admin:consent_offline_todo", args=[provider.pk]),
                    Urgency.TO_DO,
                )
            )
    return found


# --- The state at a glance ------------------------------------------------------


@dataclass
class Series:
    """One chart's data: labelled rows of values, one value per key."""

    title: str
    keys: list[tuple[str, str]]  # (key, label), e.g. ("yes", "Yes")
    #: A row whose values are None is a group heading (a service's name).
    rows: list[tuple[str, dict[str, int] | None]] = field(default_factory=list)
    #: One value per row (each row its own key and colour): the table then
    #: shows one count a row, not a column per key.
    single: bool = False
    #: Drawn as a grid of shares (``charts.grid``): (row label, short heading)
    #: of each column, in order. The table still lists every row.
    grid_columns: list[tuple[str, str]] | None = None


def months_back(today: datetime.date, n: int) -> list[datetime.date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    months = []
    year, month = today.year, today.month
    for _i in range(n):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


CONSENT_KEYS = [("yes", "Yes"), ("no", "No"), ("missing", "No answer")]


@dataclass
class ConsentCounts:
    """Consent answers by service and year group (three queries, shared by
    the two consent charts): the services needing consent, the active pupils
    per (school, year group), the current answers per (service, year group,
    yes/no)."""

    providers: list[Provider]
    pupils: dict[tuple[int, str], int]
    answers: dict[tuple[int, str, bool], int]

    def row(self, provider: Provider, years: Iterable[str]) -> dict[str, int]:
        """Yes, no and no answer among the pupils of ``years`` the service asks about."""
        asked = [y for y in years if uses_year(provider, y)]
        yes = sum(self.answers.get((provider.pk, y, True), 0) for y in asked)
        no = sum(self.answers.get((provider.pk, y, False), 0) for y in asked)
        total = sum(self.pupils.get((provider.school_id, y), 0) for y in asked)
        return {"yes": yes, "no": no, "missing": max(total - yes - no, 0)}


def consent_counts(ctx: Context) -> ConsentCounts:
    if "consent" in ctx.cache:
        return ctx.cache["consent"]
    providers = list(
        Provider.objects.filter(school__in=ctx.schools).needing_consent().order_by("service", "pk")
    )
    pupils: dict[tuple[int, str], int] = {}
    answers: dict[tuple[int, str, bool], int] = {}
    if providers:
        active = active_pupils_in(ctx.schools)
        pupils = {
            (school, year): n
            for school, year, n in active.values_list("school", "nc_year")
            .annotate(n=Count("pk"))
            .order_by()
        }
        answers = {
            (provider, year, given): n
            for provider, year, given, n in ConsentRecord.objects.current()
            .filter(provider__in=providers, pupil__in=active)
            .values_list("provider", "pupil__nc_year", "given")
            .annotate(n=Count("pk"))
            .order_by()
        }
    ctx.cache["consent"] = ConsentCounts(providers, pupils, answers)
    return ctx.cache["consent"]


def _consent_series(title: str) -> Series:
    return Series(title, [(key, _(label)) for key, label in CONSENT_KEYS])


def consent_coverage(ctx: Context) -> Series | None:
    """Per service needing consent: pupils it asks about with yes, no and no
    answer (``consent_counts``: three queries, shared)."""
    if not ctx.can("consent.view_consentrecord"):
        return None
    counts = consent_counts(ctx)
    series = _consent_series(_("Consent answers per service"))
    for p in counts.providers:
        series.rows.append((p.service, counts.row(p, NCYear.values)))
    return series


def consent_by_year_group(ctx: Context) -> Series | None:
    """Per service, then per year group it asks about that has pupils: yes,
    no and no answer (the same three queries as ``consent_coverage``)."""
    if not ctx.can("consent.view_consentrecord"):
        return None
    counts = consent_counts(ctx)
    series = _consent_series(_("Families who have answered, per service and year group"))
    labels = dict(NCYear.choices)
    series.grid_columns = [(str(labels[y]), NCYear(y).name) for y in NCYear.values]
    for p in counts.providers:
        years = [
            y for y in NCYear.values if uses_year(p, y) and counts.pupils.get((p.school_id, y))
        ]
        if not years:
            continue
        series.rows.append((p.service, None))
        for year in years:
            series.rows.append((str(labels[year]), counts.row(p, [year])))
    return series


def active_pupils_in(schools: list[School]) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school__in=schools).exclude(enrolment_status=EnrolmentStatus.LEFT)


def requests_on_time(ctx: Context, months: int = 12) -> Series | None:
    """Subject access requests answered per month, on time or late (one query)."""
    if not ctx.can("sharing.view_accessrequest"):
        return None
    first = months_back(ctx.today, months)
    rows = (
        AccessRequest.objects.filter(
            school__in=ctx.schools,
            status=AccessRequestStatus.ANSWERED,
            answered_on__gte=first[0],
        )
        .annotate(month=TruncMonth("answered_on"))
        .values_list("month")
        .annotate(
            on_time=Count("pk", filter=Q(answered_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(answered_on__gt=F("due_on"))),
        )
        .order_by()
    )
    by_month = {_as_date(m): (on_time, late) for m, on_time, late in rows}
    series = Series(
        _("Subject access requests answered, per month"),
        [("on_time", _("On time")), ("late", _("Late"))],
    )
    for month in first:
        on_time, late = by_month.get(month, (0, 0))
        series.rows.append((_month_label(month), {"on_time": on_time, "late": late}))
    return series


def disclosures_per_month(ctx: Context, months: int = 12) -> Series | None:
    """Entries of the disclosure log per month (one query)."""
    if not ctx.can("sharing.view_disclosure"):
        return None
    first = months_back(ctx.today, months)
    start = timezone.make_aware(datetime.datetime.combine(first[0], datetime.time()))
    rows = (
        Disclosure.objects.filter(school__in=ctx.schools, disclosed_at__gte=start)
        .annotate(month=TruncMonth("disclosed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month = {_as_date(m): n for m, n in rows}
    series = Series(_("Disclosures per month"), [("n", _("Disclosures"))])
    for month in first:
        series.rows.append((_month_label(month), {"n": by_month.get(month, 0)}))
    return series


def providers_by_rating(ctx: Context) -> Series | None:
    """Cloud providers in use or proposed, by their last review's rating (one query)."""
    if not ctx.can("providers.view_provider"):
        return None
    rows = dict(
        Provider.objects.filter(
            school__in=ctx.schools, status__in=[ProviderStatus.IN_USE, ProviderStatus.PROPOSED]
        )
        .with_last_assessment()
        .values_list("last_rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    keys = [(r.value, str(r.label)) for r in Rating] + [("none", _("Never assessed"))]
    series = Series(_("Cloud providers in use or proposed, by risk rating"), keys, single=True)
    for key, label in keys:
        series.rows.append((label, {key: rows.get(None if key == "none" else key, 0)}))
    return series


CHARTS = (
    consent_coverage,
    consent_by_year_group,
    requests_on_time,
    disclosures_per_month,
    providers_by_rating,
)


def charts(ctx: Context) -> list[Series]:
    return [s for fn in CHARTS if (s := fn(ctx)) is not None]


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _month_label(month: datetime.date) -> str:
    return date_format(month, "M Y")
