"""The audit pack: one zip for an ICO visit, with what an auditor asks for
first. Each list is a formula-safe CSV (``csvexport``); the record of
processing and the breach register are PDFs too (``documents``).

Lists name organisations and staff, not pupils: the disclosure log is
summarised (counts per gateway and recipient), the requests register gives
no requester's name. The breach register is the Art 33(5) record as the DPO
wrote it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from providers import dpia as dpia_screening
from providers.models import Dpia, PolicyDocument, Provider
from providers.views import page_context, policy_context
from pupils.models import School
from pupils.retention.schedule import schedule_for
from sharing.breaches.models import Breach
from sharing.disclosures.models import Disclosure, RecipientType
from sharing.rights.register import all_requests

from . import csvexport, documents
from .ropa import build_record


@dataclass(frozen=True)
class Part:
    name: str
    title: str


PARTS = (
    Part("record-of-processing.pdf", "Record of processing activities (Art 30)"),
    Part("record-of-processing.csv", "Record of processing activities, as CSV"),
    Part("breach-register.pdf", "Breach register (Art 33(5))"),
    Part("breach-register.csv", "Breach register, as CSV"),
    Part("provider-register.csv", "Providers (processors) with their latest assessment"),
    Part("disclosure-log-summary.csv", "Disclosure log: counts per gateway and recipient"),
    Part("requests-register.csv", "Requests (access, other rights) and complaints"),
    Part("privacy-notice.html", "The privacy notice currently published"),
    Part("appropriate-policy-document.html", "The appropriate policy document currently published"),
    Part(
        "dpia-register.csv",
        "Every DPIA (Art 35), of providers and of the school's own processing: version, "
        "status, decision, review",
    ),
    Part("contracts.csv", "Each in-use provider's Art 28 contract: signed, reference, where kept"),
    Part("retention-schedule.csv", "The retention schedule: period, reason and source per kind"),
)

#: Each signed-off DPIA, as text, in this folder of the zip.
DPIA_FOLDER = "dpias/"


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def breaches(school: School) -> list[Breach]:
    """Every breach with its notifications (two queries)."""
    return list(
        Breach.objects.for_school(school)
        .prefetch_related("notifications")
        .order_by("discovered_at", "id")
    )


#: How much of what was said a register shows; the letter itself is on the
#: breach's page.
CONTENT_SUMMARY_CHARS = 200


def content_summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= CONTENT_SUMMARY_CHARS:
        return text
    return text[: CONTENT_SUMMARY_CHARS - 1].rstrip() + "…"


def notification_lines(b: Breach) -> list[str]:
    """Each notification of a breach in one line: who, when, how, the
    reference and what was said (Art 33(5): the notifications are part of
    the record)."""
    return [
        "; ".join(
            part
            for part in (
                n.get_audience_display(),
                _local(n.notified_at),
                n.get_method_display(),
                f"reference {n.reference}" if n.reference else "",
                content_summary(n.content),
            )
            if part
        )
        for n in b.notifications.all()
    ]


def breach_register_csv(rows: list[Breach]) -> str:
    return csvexport.to_csv(
        [
            "Reference",
            "Discovered",
            "Happened",
            "What happened",
            "What data",
            "Whose data",
            "People affected",
            "Likelihood",
            "Severity",
            "Risk",
            "Likely consequences",
            "Containment",
            "ICO decision",
            "Why (ICO)",
            "ICO due",
            "ICO told",
            "Tell people",
            "Why (people)",
            "Tell them by",
            "Assessed",
            "Notifications (who; when; how; reference; what was said)",
        ],
        (
            (
                b.reference,
                _local(b.discovered_at),
                _local(b.occurred_at),
                b.summary,
                b.data_involved,
                b.get_people_categories_display(),
                b.people_affected,
                b.get_likelihood_display(),
                b.get_severity_display(),
                b.get_risk_display(),
                b.likely_consequences,
                b.containment,
                b.get_ico_decision_display(),
                b.ico_reason,
                _local(b.report_due_at),
                _local(b.ico_notified_at),
                b.get_tell_people_display(),
                b.tell_people_reason,
                b.tell_people_by or "",
                _local(b.assessed_at),
                "\n".join(notification_lines(b)),
            )
            for b in rows
        ),
    )


def provider_register_csv(school: School) -> str:
    providers = Provider.objects.for_school(school).with_last_assessment().order_by("service")
    return csvexport.to_csv(
        [
            "Service",
            "Provider",
            "Status",
            "Role",
            "Purpose",
            "Lawful basis",
            "Art 9 condition",
            "Schedule 1 paragraph",
            "Data categories",
            "Where stored",
            "Storage detail",
            "Transfer safeguard",
            "Transfer risk assessment",
            "Contract signed",
            "Certifications",
            "Retention",
            "Last assessed",
            "Rating",
            "Decision",
            "Next review",
        ],
        (
            (
                p.service,
                p.name,
                p.get_status_display(),
                p.get_role_display(),
                p.purpose,
                p.get_lawful_basis_display(),
                p.get_art9_condition_display(),
                p.get_schedule1_paragraph_display(),
                "; ".join(p.get_data_categories_display()),
                p.get_storage_location_display(),
                p.storage_detail,
                p.get_transfer_safeguard_display(),
                p.transfer_risk_assessed_on or "",
                p.dpa_signed_on or "",
                p.certifications,
                p.retention,
                p.last_assessed_on or "",
                p.last_rating or "",
                p.last_decision or "",
                p.next_review_on or "",
            )
            for p in providers
        ),
    )


def disclosure_summary_csv(school: School) -> str:
    rows = (
        Disclosure.objects.filter(school=school)
        .values("gateway", "recipient_type", "recipient_name", "dataset")
        .annotate(n=Count("id"), first=Min("disclosed_at"), last=Max("disclosed_at"))
        .order_by("gateway", "recipient_type", "recipient_name", "dataset")
    )
    grouped: dict[tuple, list] = {}
    for r in rows:
        # A requester is a person: counted under one line, never named.
        name = "" if r["recipient_type"] == RecipientType.REQUESTER else r["recipient_name"]
        key = (r["gateway"], r["recipient_type"], name, r["dataset"])
        n, first, last = grouped.get(key, [0, r["first"], r["last"]])
        grouped[key] = [n + r["n"], min(first, r["first"]), max(last, r["last"])]
    labels = {
        "gateway": dict(Disclosure._meta.get_field("gateway").choices or []),
        "type": dict(RecipientType.choices),
        "dataset": dict(Disclosure._meta.get_field("dataset").choices or []),
    }
    return csvexport.to_csv(
        ["Legal gateway", "Recipient type", "Recipient", "Dataset", "Disclosures", "First", "Last"],
        (
            (
                labels["gateway"].get(gateway, gateway),
                labels["type"].get(kind, kind),
                name or "(people: not named)",
                labels["dataset"].get(dataset, dataset),
                n,
                _local(first),
                _local(last),
            )
            for (gateway, kind, name, dataset), (n, first, last) in grouped.items()
        ),
    )


def requests_register_csv(school: School) -> str:
    """Every request and complaint (``sharing.rights.register``): no requester
    is named, only their relationship to the pupil."""
    return csvexport.to_csv(
        [
            "Number",
            "Received",
            "Kind",
            "Relationship",
            "How it arrived",
            "Pupils",
            "Status",
            "Due",
            "Extended on",
            "Answered",
        ],
        (
            (
                r.number,
                r.received_on,
                r.kind,
                r.relationship,
                r.channel,
                r.pupils,
                r.status,
                r.due_on or "",
                r.extended_on or "",
                r.closed_on or "",
            )
            for r in all_requests(school, timezone.localdate())
        ),
    )


def notice_html(school: School) -> str:
    context = page_context(school, None, printable=True)
    if context["notice"] is None:
        return "<!DOCTYPE html><p>No privacy notice has been published yet.</p>\n"
    return render_to_string("providers/privacy.html", context)


def policy_html(school: School) -> str:
    if PolicyDocument.objects.current_for(school) is None:
        return "<!DOCTYPE html><p>No appropriate policy document has been published yet.</p>\n"
    return render_to_string("providers/policy.html", policy_context(school, None))


def dpias(school: School) -> list[Dpia]:
    return list(
        Dpia.objects.filter(school=school)
        .select_related("provider", "signed_off_by")
        .order_by("provider__service", "processing", "provider_id", "version")
    )


def _signer(d: Dpia) -> str:
    user = d.signed_off_by
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _screening(d: Dpia) -> list[str]:
    return [
        dpia_screening.BY_CODE[code].text if code in dpia_screening.BY_CODE else code
        for code in d.screening or []
    ]


def dpia_register_csv(rows: list[Dpia]) -> str:
    return csvexport.to_csv(
        [
            "Service or processing",
            "Provider",
            "Version",
            "Status",
            "Why a DPIA",
            "Risk that remains",
            "Decision",
            "Signed off",
            "Signed off by",
            "Review by",
            "File in this pack",
        ],
        (
            (
                d.subject,
                _dpia_owner(d),
                d.version,
                d.get_status_display(),
                " ".join(_screening(d)),
                d.get_residual_risk_display(),
                d.get_decision_display(),
                _local(d.published_at),
                _signer(d),
                d.review_on or "",
                dpia_file_name(d) if d.is_published else "",
            )
            for d in rows
        ),
    )


def _dpia_owner(d: Dpia) -> str:
    """Who does the processing: the provider, or the school itself."""
    return d.provider.name if d.provider is not None else "The school itself"


def dpia_file_name(d: Dpia) -> str:
    # A provider's DPIAs are told apart by its id; the school's own by name.
    owner = d.provider_id if d.provider_id is not None else "school"
    return f"{DPIA_FOLDER}{slugify(d.subject) or 'processing'}-{owner}-v{d.version}.txt"


def dpia_text(d: Dpia) -> str:
    """One signed-off DPIA as plain text, as the DPO signed it off."""
    sections = [
        ("Why a DPIA was needed (screening)", "\n".join(f"- {t}" for t in _screening(d))),
        ("The processing", d.description),
        ("Necessity and proportionality", d.necessity),
        ("Risks to pupils and families", d.risks),
        ("Measures to reduce the risks", d.measures),
        ("Risk that remains", d.get_residual_risk_display()),
        ("The DPO's advice", d.dpo_advice),
        ("Decision", d.get_decision_display()),
        ("Reasons for the decision", d.decision_notes),
    ]
    lines = [
        f"Data Protection Impact Assessment (UK GDPR Art 35): {d.subject}",
        f"Provider: {_dpia_owner(d)}",
        f"Version {d.version}, signed off {_local(d.published_at)} by {_signer(d)}",
        f"Review by: {d.review_on or ''}",
    ]
    for title, body in sections:
        lines += ["", title, "-" * len(title), body.strip() or "(not recorded)"]
    return "\n".join(lines) + "\n"


def contracts_csv(school: School) -> str:
    providers = (
        Provider.objects.for_school(school)
        .in_use()
        .recipients()  # the school's own uses (photographs) have no processor
        .select_related("contract_document")
        .order_by("service", "id")
    )
    return csvexport.to_csv(
        [
            "Service",
            "Provider",
            "Role",
            "Contract signed",
            "Reference",
            "Where the signed contract is kept",
            "Copy uploaded",
        ],
        (
            (
                p.service,
                p.name,
                p.get_role_display(),
                p.dpa_signed_on or "",
                p.contract_reference,
                p.contract_location,
                f"Yes: {p.contract_document.file_name}" if p.contract_document else "No",
            )
            for p in providers
        ),
    )


def retention_schedule_csv(school: School) -> str:
    return csvexport.to_csv(
        ["Kind of record", "Kept", "Set by", "Reason", "Source"],
        (
            (
                entry.label,
                entry.period_text,
                "Default" if entry.is_default else "The school",
                entry.reason,
                entry.source,
            )
            for entry in schedule_for(school)
        ),
    )


def readme(school: School, extra: list[Part] | None = None) -> str:
    lines = [
        f"Audit pack: {school.name} (URN {school.urn})",
        f"Produced {timezone.localtime():%d %B %Y at %H:%M}.",
        "",
        "Contents:",
        *(f"- {part.name}: {part.title}" for part in (*PARTS, *(extra or []))),
        "",
        "CSV cells starting with = + - @ are prefixed with an apostrophe (never run as formulas).",
    ]
    return "\n".join(lines) + "\n"


def build_audit_pack(school: School) -> bytes:
    """The zip, in memory. Raises ``sharing.access.pdf.PdfRenderError`` if a PDF fails."""
    record, register, assessments = build_record(school), breaches(school), dpias(school)
    signed_off = [d for d in assessments if d.is_published]
    dpia_parts = [
        Part(dpia_file_name(d), f"DPIA signed off: {d.subject}, version {d.version}")
        for d in signed_off
    ]
    files: dict[str, bytes | str] = {
        "README.txt": readme(school, dpia_parts),
        "record-of-processing.pdf": documents.record_pdf(record),
        "record-of-processing.csv": csvexport.record_csv(record),
        "breach-register.pdf": documents.breach_register_pdf(school, register),
        "breach-register.csv": breach_register_csv(register),
        "provider-register.csv": provider_register_csv(school),
        "disclosure-log-summary.csv": disclosure_summary_csv(school),
        "requests-register.csv": requests_register_csv(school),
        "privacy-notice.html": notice_html(school),
        "appropriate-policy-document.html": policy_html(school),
        "dpia-register.csv": dpia_register_csv(assessments),
        "contracts.csv": contracts_csv(school),
        "retention-schedule.csv": retention_schedule_csv(school),
        **{dpia_file_name(d): dpia_text(d) for d in signed_off},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()
