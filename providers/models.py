"""Cloud-service providers and the school's privacy notice.

The privacy notice lives here, beside the providers it lists, because the
public /privacy page shows both; consent records refer to the notice version
a parent was shown.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import School


class ProviderRole(models.TextChoices):
    PROCESSOR = "processor", _("Processor (acts on the school's instructions)")
    CONTROLLER = "controller", _("Independent controller")


class ProviderStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_USE = "in_use", _("In use")
    RETIRED = "retired", _("Retired")


class StorageLocation(models.TextChoices):
    UK = "uk", _("United Kingdom")
    EEA = "eea", _("European Economic Area (UK adequacy)")
    ADEQUACY = "adequacy", _("Another country with UK adequacy regulations")
    IDTA = "idta", _("Elsewhere, under the IDTA or the UK Addendum")
    OTHER = "other", _("Elsewhere, other safeguard")


class LawfulBasis(models.TextChoices):
    # UK GDPR Art 6(1). Public authorities may not use legitimate interests
    # for their public tasks, so it is not offered.
    CONSENT = "consent", _("Consent (Art 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art 6(1)(e))")


class DataCategory(models.TextChoices):
    NAME = "name", _("Name")
    DATE_OF_BIRTH = "dob", _("Date of birth")
    YEAR_GROUP = "year", _("Year group and class")
    CONTACT = "contact", _("Parents' contact details")
    ASSESSMENT = "assessment", _("Assessment results and progress")
    ATTENDANCE = "attendance", _("Attendance")
    WORK = "work", _("Pupils' work")
    PHOTOS = "photos", _("Photographs and video")
    DIETARY = "dietary", _("Meals and dietary needs")
    # Special category (Art 9):
    HEALTH = "health", _("Medical and health information")
    SEN = "sen", _("Special educational needs")
    ETHNICITY = "ethnicity", _("Ethnicity")
    BIOMETRIC = "biometric", _("Biometric data")


SPECIAL_CATEGORIES = frozenset(
    {DataCategory.HEALTH, DataCategory.SEN, DataCategory.ETHNICITY, DataCategory.BIOMETRIC}
)


class ProviderQuerySet(models.QuerySet):
    def for_school(self, school: School) -> ProviderQuerySet:
        return self.filter(school=school)

    def visible_to(self, user) -> ProviderQuerySet:
        return self.filter(school__in=School.objects.visible_to(user))

    def in_use(self) -> ProviderQuerySet:
        return self.filter(status=ProviderStatus.IN_USE)

    def needing_consent(self) -> ProviderQuerySet:
        """Providers whose lawful basis is consent: parents are asked."""
        return self.in_use().filter(lawful_basis=LawfulBasis.CONSENT)


class Provider(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(_("provider"), max_length=200)
    service = models.CharField(_("service"), max_length=200, help_text=_("e.g. Tapestry"))
    purpose = models.TextField(
        _("what the school uses it for"), help_text=_("Plain English: parents read this.")
    )
    website = models.URLField(_("website"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=ProviderRole.choices, default=ProviderRole.PROCESSOR
    )
    data_categories = models.JSONField(
        _("categories of data it receives"),
        default=list,
        blank=True,
        help_text=_("Codes from DataCategory."),
    )
    data_fields = models.TextField(
        _("data fields it receives"),
        blank=True,
        help_text=_("The actual fields, e.g. forename, surname, class, reading level."),
    )
    pupils_covered = models.CharField(
        _("which pupils"), max_length=200, blank=True, help_text=_("e.g. Years 1 to 6")
    )
    storage_location = models.CharField(
        _("where the data is stored"), max_length=20, choices=StorageLocation.choices
    )
    storage_detail = models.CharField(
        _("storage detail"), max_length=200, blank=True, help_text=_("e.g. AWS London region")
    )
    dpa_signed_on = models.DateField(
        _("contract / data processing agreement signed"), null=True, blank=True
    )
    certifications = models.CharField(
        _("certifications"),
        max_length=200,
        blank=True,
        help_text=_("e.g. ISO 27001, Cyber Essentials Plus"),
    )
    retention = models.TextField(_("retention and deletion on exit"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProviderStatus.choices, default=ProviderStatus.PROPOSED
    )
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    offline_alternative = models.TextField(
        _("offline alternative"),
        blank=True,
        help_text=_("What the school offers a pupil whose parents opt out."),
    )
    notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cloud provider")
        constraints = [
            models.UniqueConstraint(fields=["school", "service"], name="unique_provider_service"),
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent")
                | ~Q(status="in_use")
                | ~Q(offline_alternative=""),
                name="consent_provider_in_use_has_offline_alternative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.name})"

    @property
    def asks_consent(self) -> bool:
        return self.lawful_basis == LawfulBasis.CONSENT

    @property
    def receives_special_category_data(self) -> bool:
        return bool(SPECIAL_CATEGORIES.intersection(self.data_categories))

    def get_data_categories_display(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.data_categories]


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self) -> PrivacyNoticeQuerySet:
        return self.filter(status=NoticeStatus.PUBLISHED)

    def current_for(self, school: School) -> PrivacyNotice | None:
        return self.published().filter(school=school).order_by("-version").first()


class PrivacyNotice(models.Model):
    """One version of the pupil privacy notice. Once published it never
    changes: consent records point at the version a parent saw."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="privacy_notices")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, default="Privacy notice for pupils")
    body = models.TextField(
        _("text"),
        help_text=_("Plain text; blank lines separate paragraphs, '## ' starts a heading."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-version"]
        verbose_name = _("privacy notice")
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_notice_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_notice_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display()})"
