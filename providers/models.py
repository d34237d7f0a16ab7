"""Cloud-service providers and the school's privacy notice.

The privacy notice lives here, beside the providers it lists, because the
public /privacy page shows both; consent records refer to the notice version
a parent was shown.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import School

from . import criteria, review


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


class PurposeKind(models.TextChoices):
    """What a consent purpose is. Most are cloud services; photographs and
    biometrics are things the school does itself, asked about the same way
    (and biometrics under the Protection of Freedoms Act 2012 ss26-28: see
    docs/law.md, "Biometrics and photographs")."""

    CLOUD_SERVICE = "cloud", _("Cloud service")
    PHOTOGRAPHS = "photos", _("Photographs and video (one use)")
    BIOMETRIC = "biometric", _("Biometric recognition (e.g. fingerprint for meals)")


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

    def with_last_assessment(self) -> ProviderQuerySet:
        """Annotate each provider with its latest published review (one query
        for a whole list): ``last_assessed_on``, ``last_rating``,
        ``last_decision``, ``next_review_on``."""
        latest = (
            RiskAssessment.objects.published()
            .filter(provider=models.OuterRef("pk"))
            .order_by("-version")
        )
        return self.annotate(
            last_assessed_on=models.Subquery(latest.values("assessed_on")[:1]),
            last_rating=models.Subquery(latest.values("rating")[:1]),
            last_decision=models.Subquery(latest.values("decision")[:1]),
            next_review_on=models.Subquery(latest.values("next_review_on")[:1]),
        )

    def with_review_state(
        self, state: review.ReviewState, today: datetime.date
    ) -> ProviderQuerySet:
        """Providers whose latest published review is in ``state`` today
        (the rule is ``providers.review``)."""
        return self.with_last_assessment().filter(review.review_state_q(state, today))

    def review_overdue(self, today: datetime.date) -> ProviderQuerySet:
        return self.with_review_state(review.ReviewState.OVERDUE, today)

    def review_due_within(
        self, today: datetime.date, days: int = review.DUE_SOON_DAYS
    ) -> ProviderQuerySet:
        return self.with_last_assessment().filter(
            review.review_state_q(review.ReviewState.DUE, today, days)
        )


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
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=PurposeKind.choices,
        default=PurposeKind.CLOUD_SERVICE,
        help_text=_("Photographs and biometrics are asked about like cloud services."),
    )
    year_groups = models.JSONField(
        _("year groups that use it"),
        default=list,
        blank=True,
        help_text=_(
            "Codes of pupils.NCYear (the admin form offers them as boxes to tick); "
            "empty: every year group. Families are asked only about these."
        ),
    )
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

    def latest_assessment(self) -> RiskAssessment | None:
        return self.assessments.published().order_by("-version").first()

    def has_approving_assessment(self) -> bool:
        latest = self.latest_assessment()
        return latest is not None and latest.approves

    def get_data_categories_display(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.data_categories]


def _refuse_if_published(obj: models.Model) -> None:
    # Checks the stored row, not the instance: publishing (draft -> published)
    # is the last save a record ever gets.
    if obj.pk and type(obj)._default_manager.filter(pk=obj.pk, status="published").exists():
        raise PublishedRecordError(
            f"A published {obj._meta.verbose_name} cannot be changed or deleted."
        )


class FrozenOncePublished(models.Model):
    """A record that nobody may change or delete once it is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        _refuse_if_published(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self)
        return super().delete(*args, **kwargs)


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self) -> PrivacyNoticeQuerySet:
        return self.filter(status=NoticeStatus.PUBLISHED)

    def current_for(self, school: School) -> PrivacyNotice | None:
        return self.published().filter(school=school).order_by("-version").first()


class PrivacyNotice(FrozenOncePublished):
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
        permissions = [("publish_privacynotice", "Can publish the privacy notice")]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_notice_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_notice_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED


# --- Risk assessments ------------------------------------------------------


class Answer(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    UNKNOWN = "unknown", _("Unknown")


class Rating(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")


APPROVING_DECISIONS = frozenset({Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS})


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishedRecordError(Exception):
    """Raised on an attempt to change or delete a published record."""


class RiskAssessmentQuerySet(models.QuerySet):
    def published(self) -> RiskAssessmentQuerySet:
        return self.filter(status=AssessmentStatus.PUBLISHED)

    def for_school(self, school: School) -> RiskAssessmentQuerySet:
        return self.filter(provider__school=school)

    def visible_to(self, user) -> RiskAssessmentQuerySet:
        return self.filter(provider__school__in=School.objects.visible_to(user))

    def latest_first(self) -> RiskAssessmentQuerySet:
        return self.order_by("-version")


class RiskAssessment(FrozenOncePublished):
    """One review of a provider. Reviews are versioned: a new review is a new
    row, and a published one never changes (the history is the evidence)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor"),
    )
    # Where the data was stored and whether special category data was sent
    # when assessed: the rating depends on them and must not drift later.
    storage_location = models.CharField(
        _("where the data is stored"), max_length=20, choices=StorageLocation.choices, blank=True
    )
    special_category = models.BooleanField(_("special category data"), default=False)
    rating = models.CharField(_("rating"), max_length=5, choices=Rating.choices, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    notes = models.TextField(_("assessor's notes"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "-version"]
        verbose_name = _("risk assessment")
        permissions = [("publish_riskassessment", "Can publish a risk assessment")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "version"], name="unique_assessment_version"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(published_at__isnull=False, next_review_on__isnull=False)
                    & ~Q(rating="")
                    & ~Q(decision="")
                    & ~Q(storage_location="")
                ),
                name="published_assessment_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(decision="conditions") | ~Q(conditions=""),
                name="conditional_approval_names_conditions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.service} v{self.version} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED

    @property
    def approves(self) -> bool:
        return self.is_published and self.decision in APPROVING_DECISIONS


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.CharField(_("criterion"), max_length=30, choices=criteria.choices())
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("answer")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="unique_answer_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_answer_display()}"

    def save(self, *args, **kwargs):
        if RiskAssessment.objects.filter(
            pk=self.assessment_id, status=AssessmentStatus.PUBLISHED
        ).exists():
            raise PublishedRecordError("A published risk assessment cannot be changed.")
        super().save(*args, **kwargs)
