"""Sharing's part in erasure (pupils.retention.registry).

What must outlive a pupil stays without them:
- the disclosure log keeps each entry's date, recipient organisation,
  gateway, dataset and how many pupils it concerned (``erased_pupils``
  counts the erased ones, so counts per year stay right); the link to the
  pupil goes, the pupil's UPN leaves the file name and, once no pupil is
  left on an entry, so do its free text, who asked and approved, and the
  requester's name when the recipient was the requester;
- an answered access request keeps its dates (the proof it was answered in
  time); the link goes and, once no pupil is left on it, so do the
  requester's details, the notes on pauses, redactions and systems
  searched. Each response produced stays as the proof it was produced and
  sent (dates, SHA-256, categories), without its pupil or where it went;
- a rights request (rectification, erasure...) is kept the same way: the
  link goes and, once no pupil is left, the requester, the pupil as named,
  what was asked and the decision's words;
- the breach register keeps every breach (UK GDPR Art 33(5)): the link to
  the pupil goes and the pupil's names, UPN and the names and e-mail
  addresses of the contacts leaving with them are taken out of its words
  and of its notifications' words; dates, categories, counts and
  decisions stay;
- complaints have their own period (``Kind.COMPLAINTS``, purged below);
  a complaint made by a contact leaving with the pupil, or naming the
  pupil, loses those details at once;
- uploaded CTFs that name the pupil lose their file, preview and report;
- response PDFs kept for staff to download go (whole, or when the
  educational record or SEN file is erased: they copy both), and all go
  when the schedule's period for generated PDFs ends.

An open access or rights request about a pupil holds their records (the
school must answer from what it holds).
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils.models import Contact, Pupil
from pupils.retention.registry import (
    Erasing,
    register_erasure_step,
    register_hold_check,
    register_purge,
)
from pupils.retention.rules import Kind

from .access.models import OPEN_STATUSES
from .dates import long_date
from .models import (
    AccessRequest,
    AccessResponse,
    Breach,
    BreachNotification,
    ClockPause,
    Complaint,
    ComplaintStatus,
    CtfImportBatch,
    CtfImportStatus,
    Disclosure,
    IdentityCheck,
    RecipientType,
    RedactionDecision,
    ResponseFile,
    RightsPause,
    RightsRequest,
    SystemSearch,
)
from .rights.models import OPEN_STATUSES as RIGHTS_OPEN_STATUSES

ERASED = "Erased under the retention schedule"
#: What takes the place of an erased person's name in words that are kept.
REDACTED = "[erased]"


@dataclass(frozen=True)
class _Erased:
    """The pupils being erased, with what identifies them in free text."""

    pupil_ids: frozenset[int]
    school_ids: frozenset[int]
    upns: frozenset[str]
    emails: frozenset[str]  # of the contacts leaving with them, lower case
    terms: tuple[str, ...]  # names, UPNs and e-mail addresses, longest first
    full_names: frozenset[str]  # "forename surname", lower case

    @classmethod
    def of(cls, erasing: Erasing) -> _Erased:
        pupils = Pupil.objects.filter(pk__in=erasing.pupil_ids).values_list(
            "school_id", "upn", "former_upn", "legal_forename", "legal_surname",
            "preferred_forename", "preferred_surname",
        )  # fmt: skip
        contacts = (
            Contact.objects.filter(pk__in=erasing.contact_ids).values_list(
                "forename", "surname", "email"
            )
            if erasing.contact_ids
            else []
        )
        schools, upns, emails, terms = set(), set(), set(), set()
        for school_id, upn, former, forename, surname, p_forename, p_surname in pupils:
            schools.add(school_id)
            upns |= {upn, former} - {""}
            terms |= _names(forename, surname)
            terms |= _names(p_forename or forename, p_surname or surname)
        for forename, surname, email in contacts:
            terms |= _names(forename, surname)
            if email:
                emails.add(email.lower())
        terms |= upns | emails
        ordered = tuple(sorted((t for t in terms if len(t) >= 2), key=lambda t: (-len(t), t)))
        full_names = frozenset(t.lower() for t in terms if " " in t and "@" not in t)
        return cls(
            erasing.pupil_ids,
            frozenset(schools),
            frozenset(upns),
            frozenset(emails),
            ordered,
            full_names,
        )

    def naming(self, fields: Iterable[str]) -> Q:
        """Rows whose ``fields`` contain one of the terms (any case)."""
        found = Q(pk__in=[])
        for name in fields:
            for term in self.terms:
                found |= Q(**{f"{name}__icontains": term})
        return found

    def redact(self, text: str) -> str:
        if not text or not self.terms:
            return text
        pattern = r"(?<!\w)(?:" + "|".join(re.escape(t) for t in self.terms) + r")(?!\w)"
        return re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)


def _names(forename: str, surname: str) -> set[str]:
    return {f"{forename} {surname}".strip(), forename.strip(), surname.strip()} - {""}


def _update(qs: models.QuerySet, **values) -> int:
    # The disclosure log refuses updates through its own queryset; erasure
    # is the one writer allowed to anonymise it (its PostgreSQL guard lets
    # this through only inside an erasure transaction, migration sharing 0014).
    return models.QuerySet.update(qs, **values)


def _redact_rows(erased: _Erased, qs: models.QuerySet, fields: tuple[str, ...]) -> int:
    """Take the erased people out of the words of the rows of ``qs`` that
    name them; returns how many rows changed."""
    changed = 0
    for row in qs.filter(erased.naming(fields)).only("pk", *fields):
        values = {name: erased.redact(getattr(row, name)) for name in fields}
        values = {k: v for k, v in values.items() if v != getattr(row, k)}
        if values:
            _update(qs.model.objects.filter(pk=row.pk), **values)
            changed += 1
    return changed


# --- The disclosure log ------------------------------------------------------------


def _erase_disclosure_links(erased: _Erased) -> int:
    through = Disclosure.pupils.through
    links = through.objects.filter(pupil_id__in=erased.pupil_ids)
    per_entry = Counter(links.values_list("disclosure_id", flat=True))
    if not per_entry:
        return 0
    # The UPN leaves the file name (access-response-<UPN>.pdf) in the same
    # statement: REPLACE changes nothing where it is absent.
    file_name: Any = F("file_name")
    for upn in erased.upns:
        file_name = Replace(file_name, Value(upn), Value("erased"))
    for n in set(per_entry.values()):
        ids = [d for d, k in per_entry.items() if k == n]
        _update(
            Disclosure.objects.filter(pk__in=ids),
            erased_pupils=F("erased_pupils") + n,
            file_name=file_name,
        )
    entries = Disclosure.objects.filter(pk__in=list(per_entry))
    links.delete()
    emptied = list(entries.filter(pupils__isnull=True).values_list("pk", flat=True))
    if emptied:
        entries = Disclosure.objects.filter(pk__in=emptied)
        _update(entries.exclude(basis_detail=""), basis_detail=ERASED)
        _update(entries.exclude(request_reason=""), request_reason=ERASED)
        _update(entries.exclude(requested_by=""), requested_by=ERASED)
        _update(entries.exclude(approved_by=""), approved_by=ERASED)
        _update(entries.exclude(notes=""), notes="")
        # An organisation's name stays; a person who asked for their own data goes.
        _update(entries.filter(recipient_type=RecipientType.REQUESTER), recipient_name=ERASED)
    return sum(per_entry.values())


# --- Access requests -----------------------------------------------------------------


def _unlink_pupils(model: Any, pupil_ids: frozenset[int]) -> tuple[set[int], list[int]]:
    """Take the pupils off ``model``'s records (its ``pupils`` links): the
    ids of the records they were on, and of those now left with no pupil
    (whose requester's details go too)."""
    through = model.pupils.through
    links = through.objects.filter(pupil_id__in=pupil_ids)
    touched = set(links.values_list(f"{model._meta.model_name}_id", flat=True))
    if not touched:
        return touched, []
    links.delete()
    emptied = model.objects.filter(pk__in=touched, pupils__isnull=True)
    return touched, list(emptied.values_list("pk", flat=True))


def _erase_access_links(pupil_ids: frozenset[int]) -> int:
    request_ids, emptied_ids = _unlink_pupils(AccessRequest, pupil_ids)
    requests = AccessRequest.objects.filter(pk__in=emptied_ids)
    requests.update(requester_name=ERASED, requester_address="", requester_contact=None, details="")
    requests.exclude(identity_check=IdentityCheck.NOT_NEEDED).update(identity_note="")
    requests.filter(identity_check=IdentityCheck.NOT_NEEDED).update(identity_note=ERASED)
    requests.exclude(extension_reason="").update(extension_reason=ERASED)
    ClockPause.objects.filter(request_id__in=emptied_ids).update(note="")
    RedactionDecision.objects.filter(request_id__in=emptied_ids).update(
        contact=None, item=ERASED, reason=ERASED
    )
    SystemSearch.objects.filter(request_id__in=emptied_ids).exclude(detail="").update(detail=ERASED)
    return len(request_ids)


def _erase_access_responses(pupil_ids: frozenset[int]) -> int:
    # The proof a response was produced and sent stays: dates, SHA-256,
    # categories, who produced it; not the pupil, nor where it went.
    return AccessResponse.objects.filter(pupil_id__in=pupil_ids).update(pupil=None, sent_to="")


def _erase_redaction_contacts(contact_ids: frozenset[int]) -> int:
    # A decision about a contact who is erased stays as the record of the
    # decision, naming nobody (deleting the contact would delete it).
    if not contact_ids:
        return 0
    return RedactionDecision.objects.filter(contact_id__in=contact_ids).update(
        contact=None, item=ERASED
    )


# --- Rights requests and complaints ------------------------------------------------


def _erase_rights_links(pupil_ids: frozenset[int]) -> int:
    request_ids, emptied_ids = _unlink_pupils(RightsRequest, pupil_ids)
    requests = RightsRequest.objects.filter(pk__in=emptied_ids)
    requests.update(
        pupil_named="", pupil_born_on=None, requester_name=ERASED, requester_contact=None,
        requester_email="", requester_address="", details=ERASED, identity_note="",
    )  # fmt: skip
    requests.exclude(extension_reason="").update(extension_reason=ERASED)
    requests.exclude(decision_reason="").update(decision_reason=ERASED)
    requests.exclude(changes_made="").update(changes_made=ERASED)
    RightsPause.objects.filter(request_id__in=emptied_ids).exclude(note="").update(note="")
    return len(request_ids)


COMPLAINT_WORDS = ("summary", "outcome")


def _erase_from_complaints(erased: _Erased) -> int:
    """A complaint made by a contact leaving with the pupil, or named as one
    of them, loses who made it; any complaint naming the erased people
    loses their names (one query when none does)."""
    fields = ("complainant_name", "complainant_email", *COMPLAINT_WORDS)
    complaints = Complaint.objects.filter(school_id__in=erased.school_ids)
    changed = 0
    for row in complaints.filter(erased.naming(fields)).only("pk", *fields):
        values = {name: erased.redact(getattr(row, name)) for name in COMPLAINT_WORDS}
        name = " ".join(row.complainant_name.lower().split())
        if row.complainant_email.lower() in erased.emails or name in erased.full_names:
            values.update(complainant_name=ERASED, complainant_email="", complainant_address=ERASED)
        Complaint.objects.filter(pk=row.pk).update(**values)
        changed += 1
    return changed


# --- The breach register -------------------------------------------------------------

BREACH_WORDS = (
    "summary", "noticed_by", "data_involved", "likely_consequences", "containment",
    "ico_reason", "tell_people_reason",
)  # fmt: skip
NOTIFICATION_WORDS = (
    "content", "likely_consequences", "measures_taken", "what_they_can_do", "delay_reason",
)  # fmt: skip


def _erase_from_breaches(erased: _Erased) -> int:
    """Every breach stays in the register (Art 33(5)), its facts with it;
    the erased people's names, UPNs and e-mail addresses leave its words."""
    # The links to the pupil go with the pupil's row (the cascade).
    breaches = Breach.objects.filter(school_id__in=erased.school_ids)
    notifications = BreachNotification.objects.filter(breach__school_id__in=erased.school_ids)
    return _redact_rows(erased, breaches, BREACH_WORDS) + _redact_rows(
        erased, notifications, NOTIFICATION_WORDS
    )


# --- CTF uploads -------------------------------------------------------------------


def _purge_batches(batches) -> int:
    return batches.update(content=b"", preview={}, result={})


def _erase_ctf_uploads(erased: _Erased) -> int:
    kept = CtfImportBatch.objects.filter(school_id__in=erased.school_ids).exclude(
        preview={}, result={}, content=b""
    )
    batches = list(kept.only("id", "preview", "result", "content"))
    if not batches:  # the usual case: uploads are purged after 30 days
        return 0
    naming = []
    for batch in batches:
        text = json.dumps([batch.preview, batch.result])
        text += bytes(batch.content).decode("utf-8", "replace")
        if any(upn in text for upn in erased.upns):
            naming.append(batch.pk)
    return _purge_batches(CtfImportBatch.objects.filter(pk__in=naming))


# --- The steps ---------------------------------------------------------------------


def erase_sharing(erasing: Erasing) -> dict[str, int]:
    """Runs when pupils are erased whole (before the pupil's row goes)."""
    erased = _Erased.of(erasing)
    pupils = erasing.pupil_ids
    return {
        "sharing.ctfimportbatch": _erase_ctf_uploads(erased),
        "sharing.disclosure": _erase_disclosure_links(erased),
        "sharing.accessrequest": _erase_access_links(pupils),
        "sharing.accessresponse": _erase_access_responses(pupils),
        "sharing.redactiondecision": _erase_redaction_contacts(erasing.contact_ids),
        "sharing.rightsrequest": _erase_rights_links(pupils),
        "sharing.complaint": _erase_from_complaints(erased),
        "sharing.breach": _erase_from_breaches(erased),
    }


def open_requests_hold(pupil_ids: Collection[int]) -> dict[int, list[str]]:
    access = AccessRequest.pupils.through.objects.filter(
        pupil_id__in=pupil_ids, accessrequest__status__in=OPEN_STATUSES
    ).values_list("pupil_id", "accessrequest__received_on")
    rights = RightsRequest.pupils.through.objects.filter(
        pupil_id__in=pupil_ids, rightsrequest__status__in=RIGHTS_OPEN_STATUSES
    ).values_list("pupil_id", "rightsrequest__received_on")
    held: dict[int, list[str]] = {}
    for pupil_id, received_on in access:
        held.setdefault(pupil_id, []).append(
            _("An access request is open (received %(date)s)") % {"date": long_date(received_on)}
        )
    for pupil_id, received_on in rights:
        held.setdefault(pupil_id, []).append(
            _("A rights request is open (received %(date)s)") % {"date": long_date(received_on)}
        )
    return held


def purge_ctf_uploads(*, school_id: int, before: datetime.date, apply: bool) -> int:
    """Uploads older than ``before`` lose their file, preview and report;
    an upload still waiting for confirmation is discarded."""
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    old = CtfImportBatch.objects.filter(school_id=school_id, uploaded_at__lt=cutoff).exclude(
        preview={}, result={}, content=b""
    )
    if not apply:
        return old.count()
    old.filter(status__in=(CtfImportStatus.CHECKING, CtfImportStatus.PREVIEWED)).update(
        status=CtfImportStatus.DISCARDED
    )
    return _purge_batches(old)


def purge_complaints(*, school_id: int, before: datetime.date, apply: bool) -> int:
    """Complaints whose outcome was told before ``before`` lose the
    complainant's details and the complaint's words; their dates, channel
    and status stay (the counts per year stay right)."""
    old = (
        Complaint.objects.filter(
            school_id=school_id, status=ComplaintStatus.CLOSED, outcome_told_on__lt=before
        )
        .exclude(complainant_name=ERASED, summary=ERASED, outcome=ERASED)
    )  # fmt: skip
    if not apply:
        return old.count()
    return old.update(
        complainant_name=ERASED, complainant_email="", complainant_address=ERASED,
        summary=ERASED, outcome=ERASED,
    )  # fmt: skip


def erase_response_files(erasing: Erasing) -> dict[str, int]:
    deleted, _per_model = ResponseFile.objects.filter(pupil_id__in=erasing.pupil_ids).delete()
    return {"sharing.responsefile": deleted}


def purge_response_files(*, school_id: int, before: datetime.date, apply: bool) -> int:
    """Response PDFs produced before ``before`` are deleted."""
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    old = ResponseFile.objects.filter(school_id=school_id, created_at__lt=cutoff)
    if not apply:
        return old.count()
    return old.delete()[0]


def register() -> None:
    """Called once, from ``SharingConfig.ready``."""
    register_erasure_step(erase_sharing)
    register_hold_check(open_requests_hold)
    register_purge(purge_ctf_uploads, kind=Kind.CTF_UPLOADS)
    register_purge(purge_response_files, kind=Kind.GENERATED_PDFS)
    register_purge(purge_complaints, kind=Kind.COMPLAINTS)
    register_erasure_step(erase_response_files)
    for kind in (Kind.EDUCATIONAL_RECORD, Kind.SEN):
        register_erasure_step(erase_response_files, kind=kind)
