"""The record of processing activities (UK GDPR Art 30(1)), generated from
the application's data: the school and its DPO, the providers (purposes,
lawful bases, data, where it is stored, retention, certifications), the
disclosure log (gateways and recipients), the pupil record's own categories,
the counts of people, the security measures the application itself applies,
and the rows the DPO adds (``ProcessingNote``).

The record is rows of (section, item, detail, source), so that one shape
feeds the page, the CSV, the PDF and a published version's snapshot. It
names organisations, never pupils or parents: a disclosure to a requester is
counted, not named. The law: docs/law.md, "Processors, transfers and DPIAs".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from providers.models import (
    SPECIAL_CATEGORIES,
    Art9Condition,
    LawfulBasis,
    Provider,
    ProviderStatus,
    Schedule1Paragraph,
    StorageLocation,
    TransferSafeguard,
)
from providers.models import DataCategory as ProviderDataCategory
from providers.purposes import SCHOOL_PURPOSES
from pupils.models import Contact, EnrolmentStatus, Pupil, School
from pupils.retention.schedule import schedule_for
from sharing.disclosures.models import DataCategory, Disclosure, LegalGateway, RecipientType

from .models import ProcessingNote, RecordSection

# Where each row came from, shown in its own column.
FROM_SCHOOL = "school details"
FROM_PROVIDERS = "provider register"
FROM_DISCLOSURES = "disclosure log"
FROM_APPLICATION = "application"
FROM_DPO = "DPO"
FROM_SCHEDULE = "retention schedule"
PLACEHOLDER = "placeholder"

PLACEHOLDER_PREFIX = "TO BE COMPLETED: "

# The pupil record the application itself keeps (pupils/models/record.py and
# special.py), in the disclosure log's categories; special category marked.
PUPIL_RECORD_CATEGORIES = (
    DataCategory.IDENTITY,
    DataCategory.CONTACTS,
    DataCategory.ENROLMENT,
    DataCategory.ATTENDANCE,
    DataCategory.ASSESSMENT,
    DataCategory.EXCLUSIONS,
    DataCategory.ETHNICITY,
    DataCategory.SEN,
    DataCategory.MEDICAL,
)

# What the application does to keep the data secure (docs/operations.md and
# docs/architecture.md describe each one). Kept here as one list: the record
# states the measures, the code is their proof.
APPLICATION_SECURITY_MEASURES = (
    (
        N_("Staff sign-in"),
        N_(
            "Password and a second factor (authenticator app) for every member of staff; "
            "failed sign-ins slowed down; sessions end after an idle and an absolute limit."
        ),
    ),
    (
        N_("Access by role and school"),
        N_(
            "Office staff and the DPO have separate permissions; each member of staff sees only "
            "their own school's records."
        ),
    ),
    (
        N_("Encryption"),
        N_(
            "Special category notes (SEN, medical) are encrypted in the database; every page is "
            "served over HTTPS only."
        ),
    ),
    (
        N_("Audit trail"),
        N_(
            "Every change, view of special category data, disclosure and export is on a "
            "hash-chained trail that shows any edit or deletion (manage.py verify_audit)."
        ),
    ),
    (
        N_("Public pages"),
        N_("Parents' links are signed and expire; requests are rate-limited."),
    ),
    (
        N_("Documents"),
        N_(
            "PDFs are produced in an isolated process with memory and time limits that can load "
            "nothing but the project's own stylesheets."
        ),
    ),
)


@dataclass(frozen=True)
class Row:
    section: str
    item: str
    detail: str
    source: str

    @property
    def is_placeholder(self) -> bool:
        return self.source == PLACEHOLDER


@dataclass(frozen=True)
class ProcessingRecord:
    school_name: str
    generated_at: datetime.datetime
    rows: tuple[Row, ...]
    version: int | None = None  # None: generated now, not a published version

    def sections(self) -> list[tuple[str, list[Row]]]:
        """(section title, rows) in Art 30's order, for the page and the PDF."""
        by_section: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_section[row.section].append(row)
        return [(str(label), by_section[code]) for code, label in RecordSection.choices]

    def as_json(self) -> list[dict[str, str]]:
        return [asdict(row) for row in self.rows]

    @classmethod
    def from_json(
        cls, *, school_name: str, at: datetime.datetime, version: int, rows: list[dict]
    ) -> ProcessingRecord:
        return cls(school_name, at, tuple(Row(**row) for row in rows), version)


def build_record(school: School) -> ProcessingRecord:
    """The record as the data stands now (a fixed number of queries)."""
    providers = list(Provider.objects.for_school(school).order_by("service", "id"))
    gateways: list[dict[str, Any]] = [
        dict(row)
        for row in Disclosure.objects.filter(school=school)
        .values("gateway", "recipient_type")
        .annotate(n=Count("id"), first=Min("disclosed_at"), last=Max("disclosed_at"))
        .order_by("gateway", "recipient_type")
    ]
    names = _recipient_names(school)
    rows = [
        *_controller(school),
        *_purposes(providers, gateways),
        *_people(school),
        *_data(providers, school),
        *_recipients(providers, gateways, names),
        *_transfers(providers),
        *_retention(school, providers),
        *_security(providers),
        *_dpo_rows(school),
    ]
    return ProcessingRecord(school.name, timezone.now(), tuple(rows))


def _controller(school: School) -> list[Row]:
    s = RecordSection.CONTROLLER
    dpo = ", ".join(v for v in (school.dpo_name, school.dpo_email, school.dpo_phone) if v)
    address = " ".join(f"{school.address} {school.postcode}".split())
    rows = [
        Row(s, _("Controller"), f"{school.name}, URN {school.urn}, {address}", FROM_SCHOOL),
        Row(s, _("Data Protection Officer"), dpo, FROM_SCHOOL),
    ]
    registration = school.ico_registration or PLACEHOLDER_PREFIX + _("ICO registration number")
    source = FROM_SCHOOL if school.ico_registration else PLACEHOLDER
    rows.append(Row(s, _("ICO registration"), registration, source))
    return rows


def _purposes(providers: list[Provider], gateways: list[dict]) -> list[Row]:
    """The school's own purposes (``providers.purposes``), each provider's,
    and each gateway of the disclosure log; each with its Art 6 basis and,
    for special category data, its Art 9 condition and Schedule 1 paragraph."""
    s = RecordSection.PURPOSES
    bases = dict(LawfulBasis.choices)
    rows = []
    for purpose in SCHOOL_PURPOSES:
        detail = f"{_('Lawful basis')}: {bases[purpose.basis]}, {purpose.law}."
        detail += _art9_text(purpose.art9 or "", purpose.paragraph or "")
        rows.append(Row(s, str(purpose.what), detail, FROM_APPLICATION))
    for p in providers:
        detail = f"{p.purpose} {_('Lawful basis')}: {bases.get(p.lawful_basis, p.lawful_basis)}."
        detail += _art9_text(p.art9_condition, p.schedule1_paragraph)
        rows.append(Row(s, f"{p.service} ({p.get_status_display()})", detail, FROM_PROVIDERS))
    labels = dict(LegalGateway.choices)
    for code in sorted({g["gateway"] for g in gateways}):
        n = sum(g["n"] for g in gateways if g["gateway"] == code)
        detail = _("Sharing pupil data outside the school: %(n)d disclosure(s) logged.") % {"n": n}
        rows.append(Row(s, str(labels.get(code, code)), detail, FROM_DISCLOSURES))
    return rows


def _art9_text(condition: str, paragraph: str) -> str:
    """The Art 9 condition and Schedule 1 paragraph as a sentence, or ""."""
    if not condition:
        return ""
    text = f" {_('Special category condition')}: {Art9Condition(condition).label}"
    if paragraph:
        text += f", {_('DPA 2018')} {Schedule1Paragraph(paragraph).label}"
    return text + "."


def _people(school: School) -> list[Row]:
    s = RecordSection.PEOPLE
    pupils = Pupil.objects.filter(school=school).aggregate(
        on_roll=Count("id", filter=Q(enrolment_status=EnrolmentStatus.ON_ROLL)), all=Count("id")
    )
    contacts = Contact.objects.filter(school=school).count()
    staff = get_user_model().objects.filter(is_active=True, staff_profile__school=school).count()
    return [
        Row(
            s,
            _("Pupils"),
            _("%(on_roll)d on roll; %(all)d records in all (applicants and leavers included).")
            % pupils,
            FROM_APPLICATION,
        ),
        Row(
            s,
            _("Parents, carers and other contacts"),
            _("%(n)d contacts.") % {"n": contacts},
            FROM_APPLICATION,
        ),
        Row(
            s,
            _("Staff"),
            _("%(n)d active staff accounts (sign-in and audit trail only).") % {"n": staff},
            FROM_APPLICATION,
        ),
    ]


def _data(providers: list[Provider], school: School) -> list[Row]:
    s = RecordSection.DATA
    labels = dict(DataCategory.choices)
    rows = [
        Row(s, str(labels[c]), _("Held in the pupil record."), FROM_APPLICATION)
        for c in PUPIL_RECORD_CATEGORIES
    ]
    provider_labels = dict(ProviderDataCategory.choices)
    sent: dict[str, list[str]] = defaultdict(list)
    own: dict[str, list[str]] = defaultdict(list)  # the school's own uses (photographs)
    for p in providers:
        for code in p.data_categories:
            (own if p.is_schools_own else sent)[code].append(p.service)
    for code in sorted(set(sent) | set(own)):
        special = _(" (special category)") if code in SPECIAL_CATEGORIES else ""
        details = []
        if sent.get(code):
            details.append(_("Sent to: %(services)s.") % {"services": ", ".join(sent[code])})
        if own.get(code):
            details.append(
                _("Used by the school itself: %(uses)s.") % {"uses": ", ".join(own[code])}
            )
        rows.append(
            Row(s, f"{provider_labels.get(code, code)}{special}", " ".join(details), FROM_PROVIDERS)
        )
    return rows


def _recipient_names(school: School) -> dict[tuple[str, str], list[str]]:
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    pairs = (
        Disclosure.objects.filter(school=school)
        .exclude(recipient_type=RecipientType.REQUESTER)  # people, not organisations
        .values_list("gateway", "recipient_type", "recipient_name")
        .distinct()
        .order_by("recipient_name")
    )
    for gateway, recipient_type, name in pairs:
        names[(gateway, recipient_type)].append(name)
    return names


def _recipients(providers, gateways, names) -> list[Row]:
    s = RecordSection.RECIPIENTS
    rows = [
        Row(
            s,
            f"{p.service} ({p.name})",
            f"{p.get_role_display()}; {p.get_status_display()}. "
            + (", ".join(p.get_data_categories_display()) or _("No data categories recorded.")),
            FROM_PROVIDERS,
        )
        for p in providers
        if not p.is_schools_own  # photographs: the school's own processing, no recipient
    ]
    gateway_labels, type_labels = dict(LegalGateway.choices), dict(RecipientType.choices)
    for g in gateways:
        who = names.get((g["gateway"], g["recipient_type"])) or [_("names not listed")]
        first = timezone.localdate(g["first"]).isoformat()
        last = timezone.localdate(g["last"]).isoformat()
        rows.append(
            Row(
                s,
                f"{type_labels.get(g['recipient_type'])}: {', '.join(who)}",
                _("%(gateway)s. %(n)d disclosure(s), %(first)s to %(last)s.")
                % {
                    "gateway": gateway_labels.get(g["gateway"]),
                    "n": g["n"],
                    "first": first,
                    "last": last,
                },
                FROM_DISCLOSURES,
            )
        )
    return rows


def _transfers(providers: list[Provider]) -> list[Row]:
    """Each transfer with the safeguard and transfer risk assessment recorded
    on the provider (``transfer_safeguard``, ``transfer_risk_assessed_on``);
    one not yet recorded is a placeholder for the DPO, never a guess from
    where the data is stored."""
    s = RecordSection.TRANSFERS
    rows, in_uk = [], []
    for p in providers:
        if p.is_schools_own:
            continue  # the school's own processing: nothing is transferred
        if p.storage_location == StorageLocation.UK:
            in_uk.append(p.service)
            continue
        where = ", ".join(filter(None, [p.get_storage_location_display(), p.storage_detail]))
        if not p.transfer_safeguard:
            text = PLACEHOLDER_PREFIX + _("the transfer safeguard (%(where)s).") % {"where": where}
            rows.append(Row(s, p.service, text, PLACEHOLDER))
            continue
        detail = f"{where}. {_('Safeguard')}: {p.get_transfer_safeguard_display()}."
        if p.transfer_safeguard != TransferSafeguard.ADEQUACY:
            if p.transfer_risk_assessed_on:
                detail += " " + _("Transfer risk assessment done on %(day)s.") % {
                    "day": p.transfer_risk_assessed_on.isoformat()
                }
            else:
                detail += " " + _("No transfer risk assessment recorded.")
        rows.append(Row(s, p.service, detail, FROM_PROVIDERS))
    if in_uk:
        detail = _("Stored in the UK: %(services)s.") % {"services": ", ".join(in_uk)}
        rows.insert(0, Row(s, _("No transfer"), detail, FROM_PROVIDERS))
    return rows


def _retention(school: School, providers: list[Provider]) -> list[Row]:
    s = RecordSection.RETENTION
    # The school's retention schedule (pupils.retention): each kind of record
    # with its period, why, and the source; the DPO's own period where they
    # changed the default.
    rows = []
    for entry in schedule_for(school):
        whose = _("default") if entry.is_default else _("set by the school")
        detail = _("%(period)s (%(whose)s). %(reason)s Source: %(source)s.") % {
            "period": entry.period_text[:1].upper() + entry.period_text[1:],
            "whose": whose,
            "reason": entry.reason.rstrip(".") + ".",
            "source": entry.source.rstrip("."),
        }
        rows.append(Row(s, entry.label, detail, FROM_SCHEDULE))
    for p in providers:
        if p.retention:
            rows.append(Row(s, p.service, p.retention, FROM_PROVIDERS))
        else:
            text = PLACEHOLDER_PREFIX + _("the provider's retention and deletion on exit.")
            rows.append(Row(s, p.service, text, PLACEHOLDER))
    return rows


def _security(providers: list[Provider]) -> list[Row]:
    s = RecordSection.SECURITY
    rows = [
        Row(s, _(item), _(detail), FROM_APPLICATION)
        for item, detail in APPLICATION_SECURITY_MEASURES
    ]
    rows += [
        Row(s, p.service, p.certifications, FROM_PROVIDERS)
        for p in providers
        if p.certifications and p.status != ProviderStatus.RETIRED
    ]
    return rows


def _dpo_rows(school: School) -> list[Row]:
    return [
        Row(n.section, n.item, n.detail, FROM_DPO)
        for n in ProcessingNote.objects.filter(school=school).order_by("section", "item", "id")
    ]
