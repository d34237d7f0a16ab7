"""The CTF import engine (the staff's two steps around it are in
``sharing.ctf.services``). Importing a Common Transfer File: create or
update pupils, contacts, attendance, assessments and SEN records, each
marked with where it came from.

Rules (the preview shows their outcome before anything is saved):
- Pupils are matched by UPN. A full CTF creates the pupils it does not know
  (as applicants); a partial CTF only adds to pupils the school already has.
- A value the school already holds is never overwritten: where the file says
  something different, that is a *conflict*, listed for staff, and the
  school's value stays. Empty fields are filled in.
- Only the sections a file carries are touched, so a partial CTF of KS2
  results leaves names, contacts and everything else alone.
- Re-importing the same file changes nothing (everything it carries is
  already there).
- A pupil that cannot be read is reported by UPN and name, never dropped.
- All of it happens in one transaction; a dry run rolls it back.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pupils import audit
from pupils.models import (
    AssessmentResult,
    AttendanceSummary,
    AuditAction,
    Contact,
    EnrolmentStatus,
    Ethnicity,
    Pupil,
    PupilContact,
    School,
    SenNeed,
    Source,
    SpecialCategoryRecord,
)
from sharing.actor import Actor
from sharing.disclosures.services import fingerprint

from .mapping import (
    ADDRESS_FIELDS,
    PUPIL_FIELDS,
    contact_key,
    contact_values,
    family_key_of,
    is_valid,
    same_value,
    shown,
    special_record_of,
)
from .reader import parse_ctf
from .records import CtfError, CtfFile, CtfHeader, CtfPupil
from .report import CREATE, SKIPPED, UNCHANGED, UPDATE, CtfImportError, ImportReport, PupilOutcome

NEEDED_TO_CREATE = ("legal_surname", "legal_forename", "date_of_birth", "sex", "nc_year")

# ``progress(done, total)``: pupils of the file worked through so far.
Progress = Callable[[int, int], None]
PROGRESS_STEP = 50  # pupils between two progress reports


@dataclass
class _Provenance:
    source: str
    source_detail: str
    received_on: datetime.date

    def apply(self, obj) -> None:
        obj.source, obj.source_detail, obj.received_on = (
            self.source,
            self.source_detail,
            self.received_on,
        )


def read_ctf(data: bytes) -> CtfFile:
    try:
        return parse_ctf(data)
    except CtfError as exc:
        raise CtfImportError(str(exc)) from None


def check_destination(header: CtfHeader, school: School) -> None:
    dest = header.dest
    if dest is None or not (dest.lea or dest.estab):
        return
    if (dest.lea, dest.estab) != (school.la_code, school.estab_number):
        raise CtfImportError(
            _("This file is addressed to school %(dest)s, not to %(school)s (%(ours)s).")
            % {"dest": dest.dfe_number, "school": school.name, "ours": school.dfe_number}
        )


def import_ctf(
    *,
    actor: Actor,
    school: School,
    data: bytes,
    file_name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CTF into ``school``; with ``dry_run`` report what would happen
    and change nothing. Raises CtfImportError for a file refused as a whole.
    ``progress`` is told how far it has got every ``PROGRESS_STEP`` pupils."""
    ctf = read_ctf(data)
    check_destination(ctf.header, school)
    header = ctf.header
    origin = _("the DfE") if header.from_dfe else header.source.name or header.source.dfe_number
    provenance = _Provenance(
        source=Source.DFE if header.from_dfe else Source.PREVIOUS_SCHOOL,
        source_detail=(
            f"CTF from {origin} ({header.source.dfe_number}), file {file_name}"
            if not header.from_dfe
            else f"Partial CTF from the DfE, file {file_name}"
        )[:200],
        received_on=header.file_date or datetime.date.today(),
    )
    report = ImportReport(
        file_name=file_name,
        sha256=fingerprint(data),
        source_school=f"{origin} ({header.source.dfe_number})",
        qualifier=header.qualifier,
        file_date=f"{header.file_date:%d %B %Y}" if header.file_date else "",
        dry_run=dry_run,
        pupils=[],
        ignored_elements=ctf.ignored_elements,
    )
    with transaction.atomic():
        _Importer(actor=actor, school=school, ctf=ctf, provenance=provenance).run(
            report, progress or _no_progress
        )
        if dry_run:
            transaction.set_rollback(True)
    if progress:  # after a dry run's rollback, which would take it back too
        progress(len(ctf.pupils), len(ctf.pupils))
    return report


def _no_progress(done: int, total: int) -> None:
    pass


class _Importer:
    """Works out every pupil's changes first, then writes them in a few bulk
    inserts (one per table), then one trail entry per changed pupil."""

    def __init__(self, *, actor, school: School, ctf: CtfFile, provenance: _Provenance):
        self.actor, self.school, self.ctf, self.provenance = actor, school, ctf, provenance
        self.partial = ctf.header.is_partial
        upns = [p.upn for p in ctf.pupils if p.readable]
        self.existing = {
            p.upn: p for p in Pupil.objects.filter(upn__in=upns).select_related("special")
        }
        self.held = _held_rows([p.pk for p in self.existing.values() if p.school_id == school.pk])
        # Siblings share parents: the CTF repeats them for each child.
        self.contacts: dict[tuple, Contact] = {}
        for contact in Contact.objects.filter(school=school):
            if key := family_key_of(contact):
                self.contacts.setdefault(key, contact)
        self.new: dict[type, list] = defaultdict(list)
        self.new_pupils: set[int] = set()  # id() of pupils created by this import

    def run(self, report: ImportReport, progress: Progress) -> None:
        seen: set[str] = set()
        work = []
        total = len(self.ctf.pupils)
        progress(0, total)
        for ctf_pupil in self.ctf.pupils:
            outcome = PupilOutcome(
                upn=ctf_pupil.upn, name=ctf_pupil.label, action=UNCHANGED,
                problems=list(ctf_pupil.problems),
            )  # fmt: skip
            report.pupils.append(outcome)
            if ctf_pupil.readable and ctf_pupil.upn in seen:
                outcome.action = SKIPPED
                outcome.problems.append(_("This UPN appears more than once in the file."))
                continue
            seen.add(ctf_pupil.upn)
            pupil = self._match_pupil(ctf_pupil, outcome)
            if pupil is not None:
                work.append((pupil, ctf_pupil, outcome, len(report.pupils)))
        try:
            self._write(Pupil)
            for step, (pupil, ctf_pupil, outcome, position) in enumerate(work, start=1):
                self._import_sections(pupil, ctf_pupil, outcome)
                if step % PROGRESS_STEP == 0:
                    progress(position, total)
            for model in (
                Contact,
                PupilContact,
                AttendanceSummary,
                AssessmentResult,
                SpecialCategoryRecord,
                SenNeed,
            ):
                self._write(model)
        except IntegrityError as exc:
            raise CtfImportError(
                _("The file could not be saved, nothing changed: %(why)s") % {"why": exc}
            ) from None
        audit.record_many(
            entry for pupil, _c, outcome, _p in work if (entry := self._entry(pupil, outcome))
        )

    def _write(self, model) -> None:
        rows = self.new.pop(model, [])
        if rows:
            model.objects.bulk_create(rows, batch_size=500)

    def _entry(self, pupil: Pupil, outcome: PupilOutcome) -> dict | None:
        """The trail entry for one pupil, or None when nothing changed."""
        if outcome.action == UNCHANGED and outcome.changes:
            outcome.action = UPDATE
        if not outcome.changes:
            return None
        return {
            "actor": self.actor,
            "action": AuditAction.IMPORT,
            "obj": pupil,
            "summary": f"{AuditAction.IMPORT.label}: {self.provenance.source_detail}"[:300],
            "fields": sorted({c.split(":")[0] for c in outcome.changes}),
        }

    # --- One pupil ---------------------------------------------------------

    def _match_pupil(self, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> Pupil | None:
        if not ctf_pupil.readable:
            outcome.action = SKIPPED
            return None
        pupil = self.existing.get(ctf_pupil.upn)
        if pupil is not None and pupil.school_id != self.school.pk:
            outcome.action = SKIPPED
            outcome.problems.append(_("This UPN belongs to a pupil of another school."))
            return None
        if pupil is not None:
            self._update_pupil(pupil, ctf_pupil, outcome)
            return pupil
        if self.partial:
            outcome.action = SKIPPED
            outcome.problems.append(
                _("Not a pupil of this school: a partial CTF does not create pupils.")
            )
            return None
        return self._create_pupil(ctf_pupil, outcome)

    def _import_sections(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        self._import_contacts(pupil, ctf_pupil, outcome)
        self._import_attendance(pupil, ctf_pupil, outcome)
        self._import_assessments(pupil, ctf_pupil, outcome)
        self._importspecial(pupil, ctf_pupil, outcome)

    def _ctf_values(self, ctf_pupil: CtfPupil) -> dict:
        values = {}
        for name, (attr, section) in PUPIL_FIELDS.items():
            if section is None or section in ctf_pupil.sections:
                values[name] = getattr(ctf_pupil, attr)
        if "address" in ctf_pupil.sections and ctf_pupil.address is not None:
            for name, attr in ADDRESS_FIELDS.items():
                values[name] = getattr(ctf_pupil.address, attr)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def _create_pupil(self, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> Pupil | None:
        values = self._ctf_values(ctf_pupil)
        missing = [name for name in NEEDED_TO_CREATE if name not in values]
        if missing:
            outcome.action = SKIPPED
            outcome.problems.append(
                _("Cannot create the pupil: the file lacks %(fields)s.")
                % {"fields": ", ".join(missing)}
            )
            return None
        pupil = Pupil(
            school=self.school, upn=ctf_pupil.upn, enrolment_status=EnrolmentStatus.APPLICANT,
            **values,
        )  # fmt: skip
        self.provenance.apply(pupil)
        if not is_valid(pupil, outcome):
            outcome.action = SKIPPED
            return None
        self.new[Pupil].append(pupil)
        self.new_pupils.add(id(pupil))
        outcome.action = CREATE
        outcome.changes.append("pupil: " + _("new pupil"))
        return pupil

    def _update_pupil(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        changed = []
        for name, value in self._ctf_values(ctf_pupil).items():
            current = getattr(pupil, name)
            if current in ("", None):
                setattr(pupil, name, value)
                changed.append(name)
            elif not same_value(current, value):
                field = Pupil._meta.get_field(name)
                assert isinstance(field, models.Field)  # the CTF values are concrete fields
                label = field.verbose_name
                outcome.conflicts.append(
                    _("%(field)s: this school has %(ours)s, the file says %(theirs)s")
                    % {"field": label, "ours": shown(current), "theirs": shown(value)}
                )
        if changed and is_valid(pupil, outcome):
            pupil.save(update_fields=[*changed, "updated_at"])
            outcome.changes += [f"pupil: {name}" for name in changed]

    # --- Sections ------------------------------------------------------------

    def _import_contacts(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        if "contacts" not in ctf_pupil.sections:
            return
        linked = {
            contact_key(link.contact): link.contact for link in self._held(pupil, "contact_links")
        }
        for ctf_contact in ctf_pupil.contacts:
            key = contact_key(ctf_contact)
            if key in linked:
                self._fill_contact(linked[key], ctf_contact, outcome)
                continue
            family_key = family_key_of(ctf_contact)
            contact = self.contacts.get(family_key) if family_key else None
            if contact is None:
                contact = Contact(school=self.school, **contact_values(ctf_contact))
                self.provenance.apply(contact)
                if not is_valid(contact, outcome):
                    continue
                self.new[Contact].append(contact)
                if family_key:
                    self.contacts[family_key] = contact
                outcome.changes.append("contacts: " + _("new contact"))
            self.new[PupilContact].append(
                PupilContact(
                    pupil=pupil,
                    contact=contact,
                    relationship=ctf_contact.relationship,
                    parental_responsibility=ctf_contact.responsibility,
                    priority=ctf_contact.order,
                )  # fmt: skip
            )
            linked[key] = contact
            outcome.changes.append("contacts: " + _("linked contact"))

    def _fill_contact(self, contact: Contact, ctf_contact, outcome: PupilOutcome) -> None:
        if contact.pk is None:  # created earlier in this file: nothing to fill
            return
        changed = []
        for name, value in contact_values(ctf_contact).items():
            if value and not getattr(contact, name):
                setattr(contact, name, value)
                changed.append(name)
        if changed and is_valid(contact, outcome):
            contact.save(update_fields=changed)
            outcome.changes += [f"contacts: {name}" for name in changed]

    def _import_attendance(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        if "attendance" not in ctf_pupil.sections:
            return
        held = {(a.academic_year, a.term): a for a in self._held(pupil, "attendance")}
        added = 0
        for row in ctf_pupil.attendance:
            values = {
                "possible_sessions": row.possible,
                "attended_sessions": row.attended,
                "authorised_absences": row.authorised,
                "unauthorised_absences": row.unauthorised,
            }
            current = held.get((row.academic_year, row.term))
            if current is None:
                summary = AttendanceSummary(
                    pupil=pupil, academic_year=row.academic_year, term=row.term, **values
                )
                self.provenance.apply(summary)
                self.new[AttendanceSummary].append(summary)
                held[(row.academic_year, row.term)] = summary
                added += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                outcome.conflicts.append(
                    _("Attendance %(term)s %(year)d: this school's figures differ from the file's")
                    % {"term": row.term, "year": row.academic_year}
                )
        if added:
            outcome.changes.append(
                "attendance: " + ngettext("%(n)d term", "%(n)d terms", added) % {"n": added}
            )

    def _import_assessments(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        if "assessments" not in ctf_pupil.sections:
            return
        held = {
            (a.stage, a.subject.casefold(), a.method.casefold(), a.academic_year): a
            for a in self._held(pupil, "assessments")
        }
        added = 0
        for row in ctf_pupil.assessments:
            key = (row.stage, row.subject.casefold(), row.method.casefold(), row.academic_year)
            current = held.get(key)
            if current is None:
                result = AssessmentResult(
                    pupil=pupil, stage=row.stage, subject=row.subject, method=row.method,
                    result=row.result, academic_year=row.academic_year,
                )  # fmt: skip
                self.provenance.apply(result)
                self.new[AssessmentResult].append(result)
                held[key] = result
                added += 1
            elif not same_value(current.result, row.result):
                outcome.conflicts.append(
                    _("%(stage)s %(subject)s: this school has %(ours)s, the file says %(theirs)s")
                    % {
                        "stage": row.stage,
                        "subject": row.subject,
                        "ours": current.result,
                        "theirs": row.result,
                    }
                )
        if added:
            outcome.changes.append(
                "assessments: " + ngettext("%(n)d result", "%(n)d results", added) % {"n": added}
            )

    def _importspecial(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        ethnicity = ctf_pupil.ethnicity if "basic" in ctf_pupil.sections else ""
        provision = ctf_pupil.sen_provision if "sen" in ctf_pupil.sections else ""
        if ethnicity or provision:
            self._import_ethnicity_and_provision(pupil, ethnicity, provision, outcome)
        if "sen" in ctf_pupil.sections:
            self._import_sen_needs(pupil, ctf_pupil, outcome)

    def _import_ethnicity_and_provision(
        self, pupil: Pupil, ethnicity: str, provision: str, outcome: PupilOutcome
    ) -> None:
        record = None if id(pupil) in self.new_pupils else special_record_of(pupil)
        if record is None:
            record = SpecialCategoryRecord(pupil=pupil)
            self.provenance.apply(record)
            if ethnicity:
                record.ethnicity = ethnicity
            if provision:
                record.sen_provision = provision
            self.new[SpecialCategoryRecord].append(record)
            outcome.changes.append("special: " + _("ethnicity and SEN provision"))
            return
        changed = []
        if ethnicity and record.ethnicity != ethnicity:
            if record.ethnicity == Ethnicity.NOBT:
                record.ethnicity = ethnicity
                changed.append("ethnicity")
            else:
                outcome.conflicts.append(_("Ethnicity: this school's record differs from the file"))
        if provision and record.sen_provision != provision:
            outcome.conflicts.append(
                _("SEN provision: this school has %(ours)s, the file says %(theirs)s")
                % {"ours": record.sen_provision, "theirs": provision}
            )
        if changed:
            record.save(update_fields=changed)
            outcome.changes.append("special: ethnicity")

    def _import_sen_needs(self, pupil: Pupil, ctf_pupil: CtfPupil, outcome: PupilOutcome) -> None:
        held = {n.need_type: n for n in self._held(pupil, "sen_needs")}
        added = 0
        for need in ctf_pupil.sen_needs:
            current = held.get(need.need_type)
            if current is None:
                row = SenNeed(pupil=pupil, need_type=need.need_type, rank=need.rank)
                self.provenance.apply(row)
                self.new[SenNeed].append(row)
                held[need.need_type] = row
                added += 1
            elif current.rank != need.rank:
                outcome.conflicts.append(
                    _("SEN need %(type)s: ranked %(ours)d here, %(theirs)d in the file")
                    % {"type": need.need_type, "ours": current.rank, "theirs": need.rank}
                )
        if added:
            outcome.changes.append(
                "sen: "
                + ngettext("%(n)d type of need", "%(n)d types of need", added) % {"n": added}
            )

    def _held(self, pupil: Pupil, name: str) -> list:
        """What the school already holds: new pupils have nothing yet, existing
        ones were read up front (one query per table for the whole file)."""
        if id(pupil) in self.new_pupils:
            return []
        return list(self.held[name].get(pupil.pk, ()))


# What the importer compares with, per table: the pupil's related name and
# the rows, in the order the pupil's own relation would list them.
_HELD: dict[str, type[models.Model]] = {
    "contact_links": PupilContact,
    "attendance": AttendanceSummary,
    "assessments": AssessmentResult,
    "sen_needs": SenNeed,
}


def _held_rows(pupil_ids: list[int]) -> dict[str, dict[int, list]]:
    """The rows the school holds for these pupils, grouped by pupil: one
    query per table, no queryset per pupil (as ``prefetch_related`` builds,
    which cost a no-change re-import of 1,000 pupils more than half its time)."""
    held: dict[str, dict[int, list]] = {}
    contacts: dict[int, Contact] = {}
    for name, model in _HELD.items():
        ordering = [*(model._meta.ordering or []), "pk"]
        rows = model._default_manager.filter(pupil_id__in=pupil_ids).order_by(*ordering)
        if model is PupilContact:
            rows = rows.select_related("contact")
        by_pupil: dict[int, list] = defaultdict(list)
        row: Any
        for row in rows:
            if model is PupilContact:  # siblings' links share one contact object
                row.contact = contacts.setdefault(row.contact_id, row.contact)
            by_pupil[row.pupil_id].append(row)
        held[name] = by_pupil
    return held
