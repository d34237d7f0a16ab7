"""The pupil record: pupils, their contacts, assessments, attendance,
exclusions and destination. Every record that holds pupil data says where it
came from (``Sourced``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import upn as upn_rules
from .tenancy import School, SchoolScopedQuerySet


def validate_upn(value: str) -> None:
    try:
        upn_rules.validate(value)
    except upn_rules.InvalidUPN as exc:
        raise ValidationError(str(exc), code="invalid_upn") from exc


# --- Where data came from ----------------------------------------------------


class Source(models.TextChoices):
    PARENT = "parent", _("Parent or carer")
    PUPIL = "pupil", _("Pupil")
    PREVIOUS_SCHOOL = "previous_school", _("Previous school")
    LA = "la", _("Local authority")
    DFE = "dfe", _("Department for Education")
    SCHOOL = "school", _("This school")


class Sourced(models.Model):
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.SCHOOL
    )
    source_detail = models.CharField(
        _("source detail"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the previous school's name and URN, or the CTF file."),
    )
    received_on = models.DateField(_("received on"), default=datetime.date.today)

    class Meta:
        abstract = True


# --- Pupils ------------------------------------------------------------------


class EnrolmentStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ON_ROLL = "on_roll", _("On roll")
    LEFT = "left", _("Left")


class Sex(models.TextChoices):
    # CBDS sex codes.
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class NCYear(models.TextChoices):
    N1 = "N1", _("Nursery 1")
    N2 = "N2", _("Nursery 2")
    R = "R", _("Reception")
    Y1 = "1", _("Year 1")
    Y2 = "2", _("Year 2")
    Y3 = "3", _("Year 3")
    Y4 = "4", _("Year 4")
    Y5 = "5", _("Year 5")
    Y6 = "6", _("Year 6")


class PupilQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def on_roll(self, on: datetime.date | None = None) -> PupilQuerySet:
        """Pupils on roll on a day (e.g. census day): admitted, not yet left."""
        if on is None:
            return self.filter(enrolment_status=EnrolmentStatus.ON_ROLL)
        return (
            self.filter(admission_date__lte=on)
            .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
            .exclude(enrolment_status=EnrolmentStatus.APPLICANT)
        )


class Pupil(Sourced):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField(_("UPN"), max_length=13, unique=True, validators=[validate_upn])
    former_upn = models.CharField(
        _("former UPN"), max_length=13, blank=True, validators=[validate_upn]
    )
    legal_surname = models.CharField(_("legal surname"), max_length=100)
    legal_forename = models.CharField(_("legal forename"), max_length=100)
    middle_names = models.CharField(_("middle names"), max_length=100, blank=True)
    preferred_surname = models.CharField(_("preferred surname"), max_length=100, blank=True)
    preferred_forename = models.CharField(_("preferred forename"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    nc_year = models.CharField(_("year group"), max_length=2, choices=NCYear.choices)
    admission_date = models.DateField(_("admission date"), null=True, blank=True)
    leaving_date = models.DateField(_("leaving date"), null=True, blank=True)
    enrolment_status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.APPLICANT,
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    first_language = models.CharField(
        _("first language"), max_length=40, blank=True, help_text=_("e.g. English, Polish")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["legal_surname", "legal_forename", "id"]
        verbose_name = _("pupil")
        permissions = [
            ("view_special_category", _("Can see special category data (ethnicity, SEN, medical)")),
            ("change_special_category", _("Can change special category data")),
        ]
        indexes = [
            models.Index(fields=["school", "enrolment_status", "nc_year"]),
            models.Index(fields=["legal_surname", "legal_forename"]),
            # The staff pupil list: one school's pupils in name order, and
            # the same within a year group (its commonest filter).
            models.Index(
                fields=["school", "legal_surname", "legal_forename", "id"],
                name="pupil_list_order",
            ),
            models.Index(
                fields=["school", "nc_year", "legal_surname", "legal_forename", "id"],
                name="pupil_list_year_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True)
                | Q(admission_date__isnull=True)
                | Q(leaving_date__gte=models.F("admission_date")),
                name="pupil_leaves_after_admission",
            ),
            models.CheckConstraint(
                condition=~Q(enrolment_status=EnrolmentStatus.LEFT) | Q(leaving_date__isnull=False),
                name="pupil_left_has_leaving_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.upn})"

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def surname(self) -> str:
        return self.preferred_surname or self.legal_surname

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def clean(self) -> None:
        if self.upn:
            self.upn = upn_rules.compact(self.upn)
        if self.former_upn:
            self.former_upn = upn_rules.compact(self.former_upn)


class Relationship(models.TextChoices):
    # CBDS contact relationship codes.
    MOTHER = "PAM", _("Mother")
    FATHER = "PAF", _("Father")
    CARER = "CAR", _("Carer")
    STEP_PARENT = "STP", _("Step-parent")
    FOSTER_CARER = "FOS", _("Foster carer")
    GRANDPARENT = "GRP", _("Grandparent")
    OTHER_RELATIVE = "REL", _("Other relative")
    SOCIAL_WORKER = "SWR", _("Social worker")
    OTHER = "OTH", _("Other contact")


class Contact(Sourced):
    """A parent, carer or other contact. May be linked to several pupils."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="contacts")
    title = models.CharField(_("title"), max_length=20, blank=True)
    forename = models.CharField(_("forename"), max_length=100)
    surname = models.CharField(_("surname"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone_mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    phone_home = models.CharField(_("home telephone"), max_length=30, blank=True)
    phone_work = models.CharField(_("work telephone"), max_length=30, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    pupils = models.ManyToManyField(Pupil, through="PupilContact", related_name="contacts")
    # A language code from settings.LANGUAGES (pupils.language), checked by
    # the admin form rather than by choices: adding a translation file must
    # not need a migration. An unknown code is ignored (English or the browser's).
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=16,
        blank=True,
        help_text=_(
            "The language of the consent form and its e-mails. Blank: the pupils' "
            "first language if a translation exists, else the browser's language."
        ),
    )

    class Meta:
        ordering = ["surname", "forename", "id"]
        verbose_name = _("contact")

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.forename, self.surname) if p)


class PupilContact(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(_("relationship"), max_length=3, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(_("parental responsibility"), default=False)
    priority = models.PositiveSmallIntegerField(_("contact order"), default=1)

    class Meta:
        ordering = ["priority"]
        verbose_name = _("pupil contact")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "contact"], name="unique_pupil_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_relationship_display()})"


# --- Education records -------------------------------------------------------


class AssessmentStage(models.TextChoices):
    EYFSP = "EYFSP", _("Early years foundation stage profile")
    RBA = "RBA", _("Reception baseline assessment")
    PHONICS = "PSC", _("Phonics screening check")
    KS1 = "KS1", _("Key stage 1")
    MTC = "MTC", _("Multiplication tables check")
    KS2 = "KS2", _("Key stage 2")


class AssessmentResult(Sourced):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="assessments")
    stage = models.CharField(_("stage"), max_length=5, choices=AssessmentStage.choices)
    subject = models.CharField(_("subject"), max_length=60)
    method = models.CharField(
        _("method"), max_length=10, help_text=_("e.g. TA (teacher assessment) or TT (test)")
    )
    result = models.CharField(_("result"), max_length=30)
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The year it starts in: 2025 for 2025/26.")
    )

    class Meta:
        ordering = ["academic_year", "stage", "subject"]
        verbose_name = _("assessment result")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "stage", "subject", "method", "academic_year"],
                name="unique_assessment_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.subject} {self.method}: {self.result}"


class TermName(models.TextChoices):
    AUTUMN = "AUT", _("Autumn")
    SPRING = "SPR", _("Spring")
    SUMMER = "SUM", _("Summer")


class AttendanceSummary(Sourced):
    """Sessions for one term: what the CTF carries."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="attendance")
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    term = models.CharField(_("term"), max_length=3, choices=TermName.choices)
    possible_sessions = models.PositiveSmallIntegerField(_("possible sessions"))
    attended_sessions = models.PositiveSmallIntegerField(_("attended"))
    authorised_absences = models.PositiveSmallIntegerField(_("authorised absence"))
    unauthorised_absences = models.PositiveSmallIntegerField(_("unauthorised absence"))

    class Meta:
        ordering = ["academic_year", "term"]
        verbose_name = _("attendance summary")
        verbose_name_plural = _("attendance summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "academic_year", "term"], name="unique_attendance_term"
            ),
            models.CheckConstraint(
                condition=Q(
                    possible_sessions__gte=models.F("attended_sessions")
                    + models.F("authorised_absences")
                    + models.F("unauthorised_absences")
                ),
                name="attendance_within_possible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_term_display()} {self.academic_year}"


class ExclusionCategory(models.TextChoices):
    PERMANENT = "PERM", _("Permanent exclusion")
    SUSPENSION = "SUSP", _("Suspension")
    LUNCHTIME = "LNCH", _("Lunchtime suspension")


class ExclusionReason(models.TextChoices):
    # CBDS exclusion reasons, 2024 set (29 codes). Codes whose DfE wording is
    # not given in docs/law.md, "CBDS code lists" are labelled by their code alone
    # rather than with a guessed description.
    PP = "PP", _("Physical assault against a pupil")
    PA = "PA", _("Physical assault against an adult")
    VP = "VP", _("Verbal abuse or threatening behaviour against a pupil")
    VA = "VA", _("Verbal abuse or threatening behaviour against an adult")
    OW = "OW", _("Use or threat of use of an offensive weapon or prohibited item")
    BW = "BW", _("CBDS reason BW")
    BU = "BU", _("Bullying")
    TB = "TB", _("CBDS reason TB")
    RA = "RA", _("Racist abuse")
    LG = "LG", _("Abuse against sexual orientation or gender identity")
    DS = "DS", _("Abuse relating to disability")
    SM = "SM", _("Sexual misconduct")
    SB = "SB", _("CBDS reason SB")
    MB = "MB", _("CBDS reason MB")
    AB = "AB", _("CBDS reason AB")
    DR = "DR", _("CBDS reason DR")
    AR = "AR", _("CBDS reason AR")
    SR = "SR", _("CBDS reason SR")
    VR = "VR", _("CBDS reason VR")
    DA = "DA", _("Drug and alcohol related")
    DM = "DM", _("Damage")
    TH = "TH", _("Theft")
    LD = "LD", _("CBDS reason LD")
    CB = (
        "CB",
        _("Wilful and repeated transgression of protective measures to protect public health"),
    )
    DB = "DB", _("CBDS reason DB")
    MT = "MT", _("CBDS reason MT")
    MP = "MP", _("CBDS reason MP")
    OS = "OS", _("CBDS reason OS")
    PH = "PH", _("CBDS reason PH")


class Exclusion(Sourced):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="exclusions")
    category = models.CharField(_("category"), max_length=4, choices=ExclusionCategory.choices)
    reason = models.CharField(_("reason"), max_length=2, choices=ExclusionReason.choices)
    start_date = models.DateField(_("start date"))
    sessions = models.DecimalField(
        _("sessions"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Length in sessions (blank for a permanent exclusion)."),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("exclusion or suspension")
        verbose_name_plural = _("exclusions and suspensions")

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.start_date:%d %B %Y}"


class Destination(Sourced):
    """Where the pupil went after leaving."""

    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="destination")
    school_name = models.CharField(_("destination school"), max_length=200)
    urn = models.CharField(_("URN"), max_length=7, blank=True)
    la_code = models.CharField(_("LA code"), max_length=3, blank=True)
    estab_number = models.CharField(_("establishment number"), max_length=4, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)

    class Meta:
        verbose_name = _("destination")

    def __str__(self) -> str:
        return self.school_name
