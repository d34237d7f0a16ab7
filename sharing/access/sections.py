"""The sections of an access response, one small function each of the
loaded ``Gathered`` data, with the purpose, lawful basis and retention of
each (docs/law.md, "Subject access", "Lawful bases" and "Retention").

The consent history and the disclosure log are built in other parts of the
project: each is one more function in ``SECTIONS`` (and one more prefetch
in ``gathered.load``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.models import ConsentRecord
from pupils.models import (
    PupilContact,
    Source,
)
from pupils.schoolyear import school_year_label
from sharing.dates import add_years, long_date

from .gathered import Gathered, Section, related_or_none
from .models import RedactionOutcome

REDACTED = gettext_lazy("[redacted: third party]")
# A record the DPO decided to redact: its row stays, its content does not.
REDACTED_RECORD = gettext_lazy("[redacted]")


def _rows[T](g: Gathered, objs: Iterable[T], to_row: Callable[[T], list[str]]) -> list[list[str]]:
    """One row per record: none for a withheld record, a blanked one for a
    redacted record (the decisions, by record, are in ``g``)."""
    rows = []
    for obj in g.shown(objs):
        row = to_row(obj)
        rows.append([str(REDACTED_RECORD)] * len(row) if g.redacted(obj) else row)  # type: ignore[arg-type]
    return rows


# --- Purposes, lawful bases and retention (one place, sources named) ----------
# Lawful bases: UK GDPR Art 6(1)(c) and (e) with the Education Act 1996 and
# the Education (Pupil Information) (England) Regulations 2005; special
# category data: Art 9(2)(g) with DPA 2018 Sch 1 paras 6 (statutory
# purposes) and 18 (safeguarding). Retention defaults: IRMS Information
# Management Toolkit for Schools (guidance; docs/law.md, "Retention").

PUBLIC_TASK = _("Public task (UK GDPR Art 6(1)(e)) and legal obligation (Art 6(1)(c))")
SPECIAL = _(
    "Public task (Art 6(1)(e)); special category data: substantial public interest "
    "(Art 9(2)(g), DPA 2018 Sch 1 paras 6 and 18)"
)


def _until_25th_birthday(g: Gathered) -> str:
    return _("Until %(date)s (the pupil's 25th birthday), unless passed to the next school") % {
        "date": long_date(add_years(g.pupil.date_of_birth, 25))
    }


def _sources(rows: Iterable) -> list[str]:
    """Where the rows came from, from their Sourced fields (each once)."""
    labels = dict(Source.choices)
    seen: dict[str, None] = {}
    for row in rows:
        if row is None:
            continue
        label = str(labels.get(row.source, row.source))
        seen[f"{label}: {row.source_detail}" if row.source_detail else label] = None
    return list(seen) or [_("This school")]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# --- Sections ----------------------------------------------------------------------


def details_section(g: Gathered) -> Section:
    p = g.pupil
    rows = [
        [_("UPN"), p.upn],
        [_("Former UPN"), p.former_upn],
        [
            _("Legal name"),
            " ".join(x for x in (p.legal_forename, p.middle_names, p.legal_surname) if x),
        ],
        [
            _("Preferred name"),
            " ".join(x for x in (p.preferred_forename, p.preferred_surname) if x),
        ],
        [_("Date of birth"), long_date(p.date_of_birth)],
        [_("Sex"), p.get_sex_display()],
        [_("Year group"), p.get_nc_year_display()],
        [_("Status"), p.get_enrolment_status_display()],
        [_("Admission date"), long_date(p.admission_date)],
        [_("Leaving date"), long_date(p.leaving_date)],
        [
            _("Home address"),
            ", ".join(x for x in (p.address_line1, p.address_line2, p.town, p.postcode) if x),
        ],
        [_("First language"), p.first_language],
    ]
    return Section(
        key="details",
        widths=[30, 70],
        title=_("Personal details"),
        purpose=_("To admit the pupil, keep the admission register and run the school."),
        lawful_basis=PUBLIC_TASK,
        retention=_until_25th_birthday(g),
        sources=_sources([p]),
        columns=[_("Item"), _("What we hold")],
        rows=[r for r in rows if r[1]],
    )


def _contact_disclosed(g: Gathered, link: PupilContact) -> bool:
    """A contact's details are third-party data unless they are the
    requester's own, or staff decided to disclose them."""
    if g.request is not None and g.request.requester_contact_id == link.contact_id:
        return True
    return any(
        d.contact_id == link.contact_id and d.outcome == RedactionOutcome.DISCLOSE
        for d in g.redactions
    )


def contacts_section(g: Gathered) -> Section:
    rows: list[list[str]] = []
    redacted = 0
    links = g.shown(g.contact_links)
    for link in links:
        c = link.contact
        if g.redacted(link):
            rows.append([str(REDACTED_RECORD)] * 6)
            continue
        shown = _contact_disclosed(g, link)
        redacted += not shown
        reach = ", ".join(x for x in (c.email, c.phone_mobile, c.phone_home, c.phone_work) if x)
        address = ", ".join(x for x in (c.address_line1, c.address_line2, c.town, c.postcode) if x)
        rows.append(
            [
                str(link.priority),
                link.get_relationship_display(),
                _yes_no(link.parental_responsibility),
                c.full_name if shown else str(REDACTED),
                reach if shown else str(REDACTED),
                address if shown else str(REDACTED),
            ]
        )
    notes = []
    if redacted:
        notes.append(
            _(
                "Contacts' names and details are their own personal data (third-party data). "
                "They are redacted unless the person consented or it is reasonable to "
                "disclose them (DPA 2018 Sch 2 para 16)."
            )
        )
    return Section(
        key="contacts",
        widths=[8, 16, 18, 19, 20, 19],
        title=_("Parents, carers and contacts"),
        purpose=_("To reach the family, and in an emergency."),
        lawful_basis=PUBLIC_TASK,
        retention=_until_25th_birthday(g),
        sources=_sources(link.contact for link in links),
        columns=[
            _("Order"),
            _("Relationship"),
            _("Parental responsibility"),
            _("Name"),
            _("How to reach them"),
            _("Address"),
        ],
        rows=rows,
        notes=notes,
        empty_text=_("No contacts are recorded."),
    )


def assessments_section(g: Gathered) -> Section:
    return Section(
        key="assessments",
        widths=[10, 30, 34, 13, 13],
        title=_("Assessment results"),
        purpose=_("To teach the pupil and report statutory assessments to the LA and the DfE."),
        lawful_basis=PUBLIC_TASK,
        retention=_until_25th_birthday(g),
        sources=_sources(g.shown(g.assessments)),
        columns=[_("Year"), _("Stage"), _("Subject"), _("Method"), _("Result")],
        rows=_rows(
            g,
            g.assessments,
            lambda a: [
                school_year_label(a.academic_year),
                a.get_stage_display(),
                a.subject,
                a.method,
                a.result,
            ],
        ),
        empty_text=_("No assessment results are recorded."),
    )


def attendance_section(g: Gathered) -> Section:
    last = max((a.academic_year for a in g.attendance), default=None)
    retention = _("6 years from the last entry in the attendance register")
    if last is not None:
        retention = _("Until %(date)s (6 years from the last entry)") % {
            "date": long_date(datetime.date(last + 7, 7, 31))
        }
    return Section(
        key="attendance",
        widths=[28, 18, 18, 18, 18],
        title=_("Attendance"),
        purpose=_("To keep the attendance register and share daily attendance with the DfE."),
        lawful_basis=PUBLIC_TASK,
        retention=retention,
        sources=_sources(g.shown(g.attendance)),
        columns=[
            _("Term"),
            _("Possible sessions"),
            _("Attended"),
            _("Authorised absence"),
            _("Unauthorised absence"),
        ],
        rows=_rows(
            g,
            g.attendance,
            lambda a: [
                f"{a.get_term_display()} {school_year_label(a.academic_year)}",
                str(a.possible_sessions),
                str(a.attended_sessions),
                str(a.authorised_absences),
                str(a.unauthorised_absences),
            ],
        ),
        empty_text=_("No attendance is recorded."),
    )


def exclusions_section(g: Gathered) -> Section:
    return Section(
        key="exclusions",
        widths=[20, 25, 40, 15],
        title=_("Exclusions and suspensions"),
        purpose=_("To manage behaviour and report exclusions to the local authority."),
        lawful_basis=PUBLIC_TASK,
        retention=_until_25th_birthday(g),
        sources=_sources(g.shown(g.exclusions)),
        columns=[_("Start"), _("Category"), _("Reason"), _("Sessions")],
        rows=_rows(
            g,
            g.exclusions,
            lambda e: [
                long_date(e.start_date),
                e.get_category_display(),
                e.get_reason_display(),
                "" if e.sessions is None else f"{e.sessions.normalize()}",
            ],
        ),
        empty_text=_("No exclusions or suspensions are recorded."),
    )


def sen_section(g: Gathered) -> Section:
    special = related_or_none(g.pupil, "special")
    rows = _rows(
        g,
        [] if special is None else [special],
        lambda s: [_("Ethnicity"), s.get_ethnicity_display(), ""],
    ) + _rows(
        g,
        [] if special is None else [special],
        lambda s: [_("SEN provision"), s.get_sen_provision_display(), ""],
    )
    rows += _rows(
        g,
        g.sen_needs,
        lambda n: [
            _("Type of need %(rank)s") % {"rank": n.rank},
            n.get_need_type_display(),
            n.notes,
        ],
    )
    return Section(
        key="sen",
        widths=[25, 30, 45],
        title=_("Ethnicity and special educational needs"),
        purpose=_("To meet the pupil's needs and make the statutory census returns."),
        lawful_basis=SPECIAL,
        retention=_(
            "SEN files: until %(date)s (date of birth + 31 years); ethnicity: as the "
            "educational record"
        )
        % {"date": long_date(add_years(g.pupil.date_of_birth, 31))},
        sources=_sources(g.shown([special, *g.sen_needs])),
        columns=[_("Item"), _("What we hold"), _("Notes")],
        rows=rows,
        empty_text=_("No ethnicity or SEN information is recorded."),
    )


def medical_section(g: Gathered) -> Section:
    return Section(
        key="medical",
        widths=[22, 22, 18, 38],
        title=_("Medical conditions"),
        purpose=_("To keep the pupil safe and well in school."),
        lawful_basis=SPECIAL,
        retention=_until_25th_birthday(g),
        sources=_sources(g.shown(g.medical)),
        columns=[_("Condition"), _("Medication"), _("Healthcare plan"), _("Notes")],
        rows=_rows(
            g,
            g.medical,
            lambda m: [m.condition, m.medication, _yes_no(m.has_care_plan), m.notes],
        ),
        empty_text=_("No medical conditions are recorded."),
    )


def destination_section(g: Gathered) -> Section:
    d = related_or_none(g.pupil, "destination")
    rows = _rows(
        g, [] if d is None else [d], lambda d: [d.school_name, d.urn, long_date(d.starts_on)]
    )
    return Section(
        key="destination",
        widths=[50, 20, 30],
        title=_("Destination"),
        purpose=_("To send the pupil's record to their next school (2005 regulations, reg 9)."),
        lawful_basis=PUBLIC_TASK,
        retention=_until_25th_birthday(g),
        sources=_sources(g.shown([d])),
        columns=[_("Next school"), _("URN"), _("Starts on")],
        rows=rows,
        empty_text=_("No destination is recorded."),
    )


def _consent_given(g: Gathered) -> dict[int, bool]:
    """The current answer per provider (consents are loaded newest first per provider)."""
    current: dict[int, bool] = {}
    for record in g.consents:
        current.setdefault(record.provider_id, record.given)
    return current


def providers_section(g: Gathered) -> Section:
    # A service that relies on consent receives the pupil's data only while
    # consent is given: with "no" or no answer yet, it is named as not sharing.
    given = _consent_given(g)
    receiving = [p for p in g.providers if not p.asks_consent or given.get(p.pk)]
    withheld = [p for p in g.providers if p.asks_consent and not given.get(p.pk)]
    return Section(
        key="providers",
        widths=[12, 12, 19, 17, 16, 12, 12],
        title=_("Services that receive the pupil's data"),
        purpose=_("Online services the school uses; each receives only what it needs."),
        lawful_basis=_("As stated for each service"),
        retention=_("As stated for each service"),
        sources=[_("This school")],
        columns=[
            _("Service"),
            _("Provider"),
            _("What for"),
            _("Data it receives"),
            _("Lawful basis"),
            _("Where it is stored"),
            _("Retention"),
        ],
        rows=[
            [
                p.service,
                p.name,
                p.purpose,
                p.data_fields or ", ".join(p.get_data_categories_display()),
                p.get_lawful_basis_display(),
                p.get_storage_location_display(),
                p.retention,
            ]
            for p in receiving
        ],
        notes=[
            _(
                "%(service)s does not receive the pupil's data: it needs consent, and "
                "consent has not been given."
            )
            % {"service": p.service}
            for p in withheld
        ],
        empty_text=_("No online service receives the pupil's data."),
    )


LATEST_ANSWER_NOTE = gettext_lazy(
    "For each service the first row is the answer that counts; the rows after it are its history."
)


def _consent_giver(g: Gathered, record: ConsentRecord) -> str:
    """Who answered, by relationship: a parent's name is their own data."""
    if record.by_pupil:
        return _("The pupil")
    link = next((x for x in g.contact_links if x.contact_id == record.given_by_contact_id), None)
    return link.get_relationship_display() if link else _("A parent or carer")


def consents_section(g: Gathered) -> Section:
    consents = g.shown(g.consents)
    return Section(
        key="consents",
        widths=[20, 14, 20, 14, 14, 18],
        title=_("Consent to online services, with its history"),
        purpose=_("To use an online service only with a parent's consent, and prove it."),
        lawful_basis=_("Consent (UK GDPR Art 6(1)(a)), which can be withdrawn at any time"),
        retention=_("While the consent is current, then as the school's retention policy says"),
        sources=[str(Source.PARENT.label)] if consents else [],
        columns=[_("Service"), _("Answer"), _("Given by"), _("How"), _("Notice"), _("When")],
        rows=_rows(
            g,
            consents,
            lambda c: [
                c.provider.service,
                _("Yes") if c.given else _("No"),
                _consent_giver(g, c),
                c.get_method_display(),
                _("version %(v)s") % {"v": c.notice.version} if c.notice else "",
                long_date(timezone.localtime(c.at).date()),
            ],
        ),
        notes=[str(LATEST_ANSWER_NOTE)] if consents else [],
        empty_text=_("No consent answers are recorded."),
    )


def disclosures_section(g: Gathered) -> Section:
    disclosures = g.shown(g.disclosures)
    return Section(
        key="disclosures",
        widths=[16, 22, 26, 22, 14],
        title=_("Who the school has shared the pupil's data with"),
        purpose=_("Every disclosure of the pupil's data, whether required by law or not."),
        lawful_basis=_("As stated for each disclosure"),
        retention=_("The log is kept as long as the pupil's educational record"),
        sources=[_("This school")] if disclosures else [],
        columns=[_("When"), _("To"), _("What"), _("Why (legal gateway)"), _("How")],
        rows=_rows(
            g,
            disclosures,
            lambda d: [
                long_date(timezone.localtime(d.disclosed_at).date()),
                d.recipient_name,
                d.get_dataset_display(),
                d.get_gateway_display(),
                d.get_method_display(),
            ],
        ),
        empty_text=_("The pupil's data has not been disclosed to anyone outside the school."),
    )


# Each section is one function of the gathered data.
SECTIONS: list[Callable[[Gathered], Section]] = [
    details_section,
    contacts_section,
    assessments_section,
    attendance_section,
    exclusions_section,
    sen_section,
    medical_section,
    destination_section,
    providers_section,
    consents_section,
    disclosures_section,
]
