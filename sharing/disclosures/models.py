"""The disclosure log and the school's census days.

The log is append-only: a disclosure is never edited or deleted; a mistake is
put right by a new entry that names the one it corrects (``corrects``).
Writes go through ``sharing.disclosures.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import Pupil, School, SchoolScopedQuerySet, TermName
from sharing.dates import long_date

__all__ = [
    "AD_HOC_GATEWAYS",
    "AppendOnlyError",
    "CensusDate",
    "DataCategory",
    "Dataset",
    "Disclosure",
    "LegalGateway",
    "RecipientType",
    "SendMethod",
]

SHA256_RE = r"^[0-9a-f]{64}$"  # a SHA-256 fingerprint in hex


class AppendOnlyError(Exception):
    """Raised when code tries to edit or delete an entry of the disclosure log."""


class RecipientType(models.TextChoices):
    LA = "la", _("Local authority")
    DFE = "dfe", _("Department for Education")
    SCHOOL = "school", _("Another school")
    ORGANISATION = "organisation", _("Other named organisation")
    REQUESTER = "requester", _("The data subject or their parent")


class LegalGateway(models.TextChoices):
    # Each statutory gateway names its statute, so the log answers "why?" by itself.
    CENSUS = "census", _("School census: Education Act 1996 s537A")
    CTF = (
        "ctf",
        _("Common Transfer File: Education (Pupil Information) (England) Regulations 2005 reg 9"),
    )
    ATTENDANCE = (
        "attendance",
        _("Daily attendance: School Attendance (Pupil Registration) (England) Regulations 2024"),
    )
    EXCLUSIONS = (
        "exclusions",
        _(
            "Exclusions and suspensions to the LA: School Suspensions and Permanent "
            "Exclusions (England) Regulations 2012"
        ),
    )
    SUBJECT_ACCESS = "subject_access", _("Right of access: UK GDPR Art 15")
    CONSENT = "consent", _("Consent: UK GDPR Art 6(1)(a)")
    CRIME = (
        "crime",
        _("Prevention or detection of crime: Data Protection Act 2018 Sch 2 para 2"),
    )
    SAFEGUARDING = (
        "safeguarding",
        _("Safeguarding of children: Data Protection Act 2018 Sch 1 para 18"),
    )
    OTHER = "other", _("Another exemption or basis (described)")


# Gateways that need the person who asked, the reason and the approver.
AD_HOC_GATEWAYS = (LegalGateway.CRIME, LegalGateway.SAFEGUARDING, LegalGateway.OTHER)


class Dataset(models.TextChoices):
    CENSUS = "census", _("School census return")
    CTF = "ctf", _("Common Transfer File")
    ATTENDANCE = "attendance", _("Attendance data")
    EXCLUSIONS = "exclusions", _("Exclusion and suspension report")
    SUBJECT_ACCESS = "subject_access", _("Subject access response")
    AD_HOC = "ad_hoc", _("Ad-hoc request")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity (name, UPN, date of birth, sex)")
    CONTACTS = "contacts", _("Address and contacts")
    ENROLMENT = "enrolment", _("Enrolment")
    ATTENDANCE = "attendance", _("Attendance")
    ASSESSMENT = "assessment", _("Assessment results")
    EXCLUSIONS = "exclusions", _("Exclusions and suspensions")
    ETHNICITY = "ethnicity", _("Ethnicity (special category)")
    SEN = "sen", _("Special educational needs (special category)")
    MEDICAL = "medical", _("Medical information (special category)")
    SAFEGUARDING = "safeguarding", _("Safeguarding information")
    OTHER = "other", _("Other (described in the notes)")


class SendMethod(models.TextChoices):
    COLLECT = "collect", _("DfE COLLECT / submit a return")
    S2S = "s2s", _("School to School (S2S) secure transfer")
    LA_PORTAL = "la_portal", _("Local authority secure portal")
    SECURE_EMAIL = "secure_email", _("Encrypted e-mail")
    POST = "post", _("Post (signed for)")
    IN_PERSON = "in_person", _("Handed over in person")
    PHONE = "phone", _("Told by telephone")


class DisclosureQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def for_pupil(self, pupil: Pupil) -> DisclosureQuerySet:
        return self.filter(pupils=pupil)

    def newest_first(self) -> DisclosureQuerySet:
        return self.order_by("-disclosed_at", "-id")

    # The log is append-only: bulk edits and deletes are refused too.
    def update(self, **kwargs):
        raise AppendOnlyError("The disclosure log is append-only.")

    def delete(self):
        raise AppendOnlyError("The disclosure log is append-only.")


class Disclosure(models.Model):
    """One disclosure of pupil data outside the school. Never edited."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="disclosures")
    recipient_type = models.CharField(
        _("recipient type"), max_length=20, choices=RecipientType.choices
    )
    recipient_name = models.CharField(
        _("recipient"), max_length=200, help_text=_("e.g. Durham County Council")
    )
    gateway = models.CharField(_("legal gateway"), max_length=20, choices=LegalGateway.choices)
    basis_detail = models.TextField(
        _("basis in detail"),
        blank=True,
        help_text=_("What the consent covered, or which exemption applies and why."),
    )
    dataset = models.CharField(_("dataset"), max_length=20, choices=Dataset.choices)
    census_term = models.CharField(
        _("census term"), max_length=3, choices=TermName.choices, blank=True
    )
    census_date = models.DateField(_("census day"), null=True, blank=True)
    pupils = models.ManyToManyField(
        Pupil, related_name="disclosures", blank=True, verbose_name=_("pupils")
    )
    erased_pupils = models.PositiveIntegerField(
        _("pupils since erased"),
        default=0,
        help_text=_(
            "Pupils this disclosure concerned whose records have since been erased under "
            "the retention schedule: counted, no longer named."
        ),
    )
    categories = models.JSONField(_("categories of data"), default=list)
    disclosed_at = models.DateTimeField(_("sent on"), default=timezone.now)
    method = models.CharField(_("how it was sent"), max_length=20, choices=SendMethod.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("SHA-256 fingerprint of the file"), max_length=64, blank=True)
    requested_by = models.CharField(
        _("requested by"), max_length=200, blank=True, help_text=_("Name, role, organisation.")
    )
    request_reason = models.TextField(_("reason given"), blank=True)
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects entry"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosure log")
        indexes = [models.Index(fields=["school", "-disclosed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(file_sha256="") | Q(file_sha256__regex=SHA256_RE),
                name="disclosure_sha256_is_hex",
            ),
            models.CheckConstraint(
                condition=~Q(gateway__in=[g.value for g in AD_HOC_GATEWAYS])
                | (~Q(requested_by="") & ~Q(request_reason="") & ~Q(approved_by="")),
                name="disclosure_ad_hoc_has_request_and_approval",
            ),
            models.CheckConstraint(
                condition=~Q(gateway__in=[LegalGateway.CONSENT, LegalGateway.OTHER])
                | ~Q(basis_detail=""),
                name="disclosure_consent_or_other_is_described",
            ),
            models.CheckConstraint(
                condition=~Q(dataset=Dataset.CENSUS)
                | (~Q(census_term="") & Q(census_date__isnull=False)),
                name="disclosure_census_has_term_and_day",
            ),
        ]

    def __str__(self) -> str:
        when = long_date(timezone.localtime(self.disclosed_at)) if self.disclosed_at else ""
        return f"{self.get_dataset_display()} to {self.recipient_name}, {when}"

    def save(self, *args, **kwargs) -> None:
        # A guard, not a side effect: an existing entry is never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The disclosure log is append-only: record a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The disclosure log is append-only.")

    def get_categories_display(self) -> str:
        labels = dict(DataCategory.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.categories)


class CensusDate(models.Model):
    """The census day of one term, when it differs from the DfE's usual rule."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="census_dates")
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The year it starts in: 2025 for 2025/26.")
    )
    term = models.CharField(_("term"), max_length=3, choices=TermName.choices)
    date = models.DateField(_("census day"))

    class Meta:
        ordering = ["-academic_year", "term"]
        verbose_name = _("census day")
        verbose_name_plural = _("census days")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"], name="unique_census_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_term_display()} {self.academic_year}: {long_date(self.date)}"
