"""Schools, staff, pupils and everything the school holds about them.

Every record that holds pupil data says where it came from (``Sourced``). The
audit trail (``AuditEvent``) is defined here, at the bottom layer, and every
app writes to it through ``pupils.audit``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import upn as upn_rules
from .fields import EncryptedTextField


def validate_upn(value: str) -> None:
    try:
        upn_rules.validate(value)
    except upn_rules.InvalidUPN as exc:
        raise ValidationError(str(exc), code="invalid_upn") from exc


# --- Schools and staff ------------------------------------------------------


class SchoolType(models.TextChoices):
    # The type decides which rules apply: reg 5 of the Education (Pupil
    # Information) (England) Regulations 2005 covers maintained schools only.
    MAINTAINED = "maintained", _("Maintained school")
    ACADEMY = "academy", _("Academy")
    FREE = "free", _("Free school")
    INDEPENDENT = "independent", _("Independent school")


def sees_every_school(user) -> bool:
    """Superusers (set-up) and trust-wide staff see every school of the instance."""
    return user.is_superuser or getattr(getattr(user, "staff_profile", None), "trust_wide", False)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user) -> SchoolQuerySet:
        if sees_every_school(user):
            return self
        profile = getattr(user, "staff_profile", None)
        if profile is None or profile.school_id is None:
            return self.none()
        return self.filter(pk=profile.school_id)


class School(models.Model):
    name = models.CharField(_("name"), max_length=200)
    urn = models.CharField(_("URN"), max_length=7, unique=True, help_text=_("6-digit URN."))
    la_code = models.CharField(_("LA code"), max_length=3)
    estab_number = models.CharField(_("DfE establishment number"), max_length=4)
    school_type = models.CharField(_("type"), max_length=20, choices=SchoolType.choices)
    address = models.TextField(_("address"))
    postcode = models.CharField(_("postcode"), max_length=10)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_page = models.URLField(_("contact page"), blank=True)
    dpo_name = models.CharField(_("Data Protection Officer"), max_length=200)
    dpo_email = models.EmailField(_("DPO e-mail"))
    dpo_phone = models.CharField(_("DPO telephone"), max_length=30, blank=True)
    ico_registration = models.CharField(_("ICO registration number"), max_length=20, blank=True)
    hostname = models.CharField(
        _("public host name"),
        max_length=200,
        blank=True,
        help_text=_("The host name its public pages are served at, e.g. privacy.school.org.uk."),
    )
    is_default = models.BooleanField(
        _("default school"),
        default=False,
        help_text=_("Served for host names that belong to no school."),
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        constraints = [
            models.CheckConstraint(
                condition=Q(la_code__regex=r"^\d{3}$"), name="school_la_code_3_digits"
            ),
            models.CheckConstraint(
                condition=Q(estab_number__regex=r"^\d{4}$"), name="school_estab_4_digits"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_school"
            ),
            models.UniqueConstraint(
                fields=["hostname"], condition=~Q(hostname=""), name="unique_school_hostname"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.estab_number}"

    @property
    def educational_record_regulations_apply(self) -> bool:
        return self.school_type == SchoolType.MAINTAINED


class Term(models.Model):
    """A term (the days the school is open), for deadlines in school days."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. Autumn 2026"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A weekday in term when the school is closed (INSET day, polling day...)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="unique_closure_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.reason}"


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    trust_wide = models.BooleanField(
        _("trust-wide"), default=False, help_text=_("Sees the pupils of every school.")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(trust_wide=True) | Q(school__isnull=False),
                name="staff_has_school_or_trust_wide",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


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


class PupilQuerySet(models.QuerySet):
    def visible_to(self, user) -> PupilQuerySet:
        return self.filter(school__in=School.objects.visible_to(user))

    def on_roll(self, on: datetime.date | None = None) -> PupilQuerySet:
        """Pupils on roll on a day (e.g. census day): admitted, not yet left."""
        if on is None:
            return self.filter(enrolment_status=EnrolmentStatus.ON_ROLL)
        return (
            self.filter(admission_date__lte=on)
            .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
            .exclude(enrolment_status=EnrolmentStatus.APPLICANT)
        )

    def for_school(self, school: School) -> PupilQuerySet:
        return self.filter(school=school)


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
    nc_year = models.CharField(_("NC year"), max_length=2, choices=NCYear.choices)
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
            ("enrol_without_consent", _("Can enrol a pupil whose consent form is incomplete")),
        ]
        indexes = [
            models.Index(fields=["school", "enrolment_status", "nc_year"]),
            models.Index(fields=["legal_surname", "legal_forename"]),
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
    # not recorded in ../shared/DOMAIN.md are labelled by their code alone
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


# --- Special category data (UK GDPR Art 9) ------------------------------------
# Ethnicity, SEN and health. Only users with pupils.view_special_category see
# them, and every view is logged (pupils.audit.record_special_category_view).


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", _("White - British")
    WIRI = "WIRI", _("White - Irish")
    WIRT = "WIRT", _("Traveller of Irish heritage")
    WOTH = "WOTH", _("Any other White background")
    WROM = "WROM", _("Gypsy / Roma")
    MWBC = "MWBC", _("White and Black Caribbean")
    MWBA = "MWBA", _("White and Black African")
    MWAS = "MWAS", _("White and Asian")
    MOTH = "MOTH", _("Any other mixed background")
    AIND = "AIND", _("Indian")
    APKN = "APKN", _("Pakistani")
    ABAN = "ABAN", _("Bangladeshi")
    CHNE = "CHNE", _("Chinese")
    AOTH = "AOTH", _("Any other Asian background")
    BCRB = "BCRB", _("Black Caribbean")
    BAFR = "BAFR", _("Black - African")
    BOTH = "BOTH", _("Any other Black background")
    OOTH = "OOTH", _("Any other ethnic group")
    REFU = "REFU", _("Refused")
    NOBT = "NOBT", _("Information not yet obtained")


class SenProvision(models.TextChoices):
    NONE = "N", _("No special educational need")
    SUPPORT = "K", _("SEN support")
    EHC_PLAN = "E", _("Education, health and care plan")


class SenNeedType(models.TextChoices):
    SPLD = "SPLD", _("Specific learning difficulty")
    MLD = "MLD", _("Moderate learning difficulty")
    SLD = "SLD", _("Severe learning difficulty")
    PMLD = "PMLD", _("Profound and multiple learning difficulty")
    SEMH = "SEMH", _("Social, emotional and mental health")
    SLCN = "SLCN", _("Speech, language and communication needs")
    HI = "HI", _("Hearing impairment")
    VI = "VI", _("Visual impairment")
    MSI = "MSI", _("Multi-sensory impairment")
    PD = "PD", _("Physical disability")
    ASD = "ASD", _("Autistic spectrum disorder")
    DS = "DS", _("Down syndrome")
    OTH = "OTH", _("Other difficulty or disability")
    NSA = "NSA", _("SEN support but no specialist assessment of type of need")


class SpecialCategoryRecord(Sourced):
    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="special")
    ethnicity = models.CharField(
        _("ethnicity"), max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT
    )
    sen_provision = models.CharField(
        _("SEN provision"), max_length=1, choices=SenProvision.choices, default=SenProvision.NONE
    )

    class Meta:
        verbose_name = _("ethnicity and SEN provision")
        verbose_name_plural = _("ethnicity and SEN provision")
        indexes = [models.Index(fields=["sen_provision"])]

    def __str__(self) -> str:
        return str(_("Special category data"))


class SenNeed(Sourced):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_needs")
    need_type = models.CharField(_("type of need"), max_length=4, choices=SenNeedType.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("SEN type of need")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "need_type"], name="unique_sen_need")
        ]

    def __str__(self) -> str:
        return self.get_need_type_display()


class MedicalCondition(Sourced):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="medical_conditions")
    condition = models.CharField(_("condition"), max_length=200)
    medication = models.CharField(_("medication"), max_length=200, blank=True)
    has_care_plan = models.BooleanField(_("individual healthcare plan"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["condition"]
        verbose_name = _("medical condition")

    def __str__(self) -> str:
        return self.condition


# --- The audit trail ----------------------------------------------------------


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW_SPECIAL = "view_special", _("Viewed special category data")
    DISCLOSE = "disclose", _("Disclosed")
    CONSENT = "consent", _("Consent recorded")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    ERASE = "erase", _("Erased")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")


class AuditEvent(models.Model):
    """One append-only entry of the trail; each carries a hash chained to the
    previous one so that an edited or removed row is detectable
    (``manage.py verify_audit``).

    It names which fields changed, never their values: the trail outlives
    retention periods, and erased data must not survive in it.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    school_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pupil"),
    )
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["pupil", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d %B %Y %H:%M} {self.actor_label}: {self.summary}"


# --- Staff sessions -------------------------------------------------------------


class StaffSession(AbstractBaseSession):
    """A server-side session that knows whose it is, so that signing out,
    changing a password or deactivating an account can end every session of
    that member of staff with one indexed DELETE (``pupils.sessions``)."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("staff session")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
