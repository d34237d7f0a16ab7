"""Cloud-service providers and the school's privacy notice.

The privacy notice lives here, beside the providers it lists, because the
public /privacy page shows both; consent records refer to the notice version
a parent was shown.
"""

from __future__ import annotations

import datetime
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pupils.models import School, SchoolScopedQuerySet

from . import criteria, dpia, review


class ProviderRole(models.TextChoices):
    PROCESSOR = "processor", _("Processor (acts on the school's instructions)")
    CONTROLLER = "controller", _("Independent controller")
    # A use of photographs is the school's own processing: the school is the
    # controller and no processor is involved (docs/law.md, "Biometrics and
    # photographs"). Such a purpose needs no Art 28 contract and is no
    # recipient: the notice lists it among the purposes, not the providers.
    SCHOOL = "school", _("The school itself (its own processing, no processor)")


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

#: Categories about someone other than the pupil (the parents). Everything
#: else a provider receives is the pupil's data, and a pupil is never a party
#: to a provider's contract (docs/law.md, "Lawful bases").
NOT_PUPIL_DATA = frozenset({DataCategory.CONTACT})


class Art9Condition(models.TextChoices):
    """The UK GDPR Art 9(2) conditions a school relies on for special
    category data (docs/law.md, "Special category data")."""

    EXPLICIT_CONSENT = "a", _("Explicit consent (Art 9(2)(a))")
    EMPLOYMENT = "b", _("Employment, social security and social protection (Art 9(2)(b))")
    VITAL_INTERESTS = "c", _("Vital interests, when consent cannot be given (Art 9(2)(c))")
    SUBSTANTIAL_PUBLIC_INTEREST = "g", _("Substantial public interest (Art 9(2)(g))")
    HEALTH_OR_SOCIAL_CARE = "h", _("Health or social care (Art 9(2)(h))")


class Schedule1Paragraph(models.TextChoices):
    """DPA 2018 Schedule 1 paragraphs that complete an Art 9(2)(b), (g) or
    (h) condition (docs/law.md, "Special category data")."""

    EMPLOYMENT = (
        "1",
        _("Schedule 1 Part 1 paragraph 1: employment, social security and social protection"),
    )
    HEALTH_OR_SOCIAL_CARE = "2", _("Schedule 1 Part 1 paragraph 2: health or social care purposes")
    STATUTORY = "6", _("Schedule 1 Part 2 paragraph 6: statutory and government purposes")
    EQUALITY = "8", _("Schedule 1 Part 2 paragraph 8: equality of opportunity or treatment")
    SAFEGUARDING = (
        "18",
        _("Schedule 1 Part 2 paragraph 18: safeguarding of children and of individuals at risk"),
    )


#: Which Schedule 1 paragraphs complete which Art 9 condition; conditions
#: not listed take no paragraph. One definition, read by ``Provider.clean``,
#: the database constraint and the appropriate policy document.
SCHEDULE_1_FOR = {
    Art9Condition.EMPLOYMENT: frozenset({Schedule1Paragraph.EMPLOYMENT}),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: frozenset({Schedule1Paragraph.HEALTH_OR_SOCIAL_CARE}),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: frozenset(
        {Schedule1Paragraph.STATUTORY, Schedule1Paragraph.EQUALITY, Schedule1Paragraph.SAFEGUARDING}
    ),
}

#: Paragraphs that need an appropriate policy document (DPA 2018 Sch 1
#: para 1(1)(b) and para 5): paragraph 1 and every Part 2 paragraph.
NEEDS_POLICY_DOCUMENT = frozenset(
    {
        Schedule1Paragraph.EMPLOYMENT,
        Schedule1Paragraph.STATUTORY,
        Schedule1Paragraph.EQUALITY,
        Schedule1Paragraph.SAFEGUARDING,
    }
)


def _art9_pairs_q() -> Q:
    """The database form of ``SCHEDULE_1_FOR``."""
    q = Q(art9_condition__in=["", *[c for c in Art9Condition if c not in SCHEDULE_1_FOR]]) & Q(
        schedule1_paragraph=""
    )
    for condition, paragraphs in SCHEDULE_1_FOR.items():
        q |= Q(art9_condition=condition, schedule1_paragraph__in=sorted(paragraphs))
    return q


class TransferSafeguard(models.TextChoices):
    """How a transfer outside the UK is made lawful (UK GDPR Chapter V;
    docs/law.md, "Processors, transfers and DPIAs")."""

    ADEQUACY = "adequacy", _("UK adequacy regulations")
    IDTA = "idta", _("International Data Transfer Agreement (IDTA)")
    UK_ADDENDUM = "addendum", _("UK Addendum to the EU standard contractual clauses")


#: Storage locations that are a transfer outside the UK, and the safeguards
#: each may rest on. Only an adequacy country may rest on adequacy; the
#: others need a contract and a transfer risk assessment.
ADEQUATE_LOCATIONS = frozenset({StorageLocation.EEA, StorageLocation.ADEQUACY})
CONTRACT_LOCATIONS = frozenset({StorageLocation.IDTA, StorageLocation.OTHER})


class PurposeKind(models.TextChoices):
    """What a consent purpose is. Most are cloud services; photographs and
    biometrics are things the school does itself, asked about the same way
    (and biometrics under the Protection of Freedoms Act 2012 ss26-28: see
    docs/law.md, "Biometrics and photographs")."""

    CLOUD_SERVICE = "cloud", _("Cloud service")
    PHOTOGRAPHS = "photos", _("Photographs and video (one use)")
    BIOMETRIC = "biometric", _("Biometric recognition (e.g. fingerprint for meals)")


class ProviderQuerySet(SchoolScopedQuerySet):
    """Scoped by its school (SchoolScopedQuerySet)."""

    def in_use(self) -> ProviderQuerySet:
        return self.filter(status=ProviderStatus.IN_USE)

    def recipients(self) -> ProviderQuerySet:
        """Those that receive data from the school (processors and
        controllers): not the school's own uses, such as photographs."""
        return self.exclude(role=ProviderRole.SCHOOL)

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

    def with_dpia(self) -> ProviderQuerySet:
        """Annotate ``dpia_signed_off_on``: when the latest signed-off DPIA
        was signed off (one query for a whole list)."""
        latest = (
            Dpia.objects.published().filter(provider=models.OuterRef("pk")).order_by("-version")
        )
        return self.annotate(
            dpia_signed_off_on=models.Subquery(latest.values("published_at")[:1]),
            dpia_decision=models.Subquery(latest.values("decision")[:1]),
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
    dpa_signed_on = models.DateField(_("Art 28 contract signed on"), null=True, blank=True)
    contract_reference = models.CharField(
        _("contract reference"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the order number, or the version and date of the provider's terms."),
    )
    contract_location = models.CharField(
        _("where the signed contract is kept"),
        max_length=300,
        blank=True,
        help_text=_("e.g. Office safe, contracts file 2025; or upload a copy below."),
    )
    contract_document = models.ForeignKey(
        "ContractDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copy of the contract"),
    )
    transfer_safeguard = models.CharField(
        _("transfer safeguard"),
        max_length=20,
        choices=TransferSafeguard.choices,
        blank=True,
        help_text=_("Needed when the data is stored outside the UK."),
    )
    transfer_risk_assessed_on = models.DateField(
        _("transfer risk assessment done on"),
        null=True,
        blank=True,
        help_text=_("Needed for a transfer under the IDTA or the UK Addendum."),
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
    lawful_basis = models.CharField(
        _("lawful basis (Art 6)"), max_length=20, choices=LawfulBasis.choices
    )
    art9_condition = models.CharField(
        _("special category condition (Art 9)"),
        max_length=2,
        choices=Art9Condition.choices,
        blank=True,
        help_text=_("Needed when the provider receives medical, SEN, ethnicity or biometric data."),
    )
    schedule1_paragraph = models.CharField(
        _("DPA 2018 Schedule 1 paragraph"),
        max_length=2,
        choices=Schedule1Paragraph.choices,
        blank=True,
        help_text=_("Needed with Art 9(2)(b), (g) or (h)."),
    )
    offline_alternative = models.TextField(
        _("offline alternative"),
        blank=True,
        help_text=_("What the school offers a pupil whose parents opt out."),
    )
    notes = models.TextField(_("staff notes"), blank=True)
    dpia_screening = models.JSONField(
        _("DPIA screening: what applies"),
        default=list,
        blank=True,
        help_text=_("Any of these means a DPIA must be done and signed off before use."),
    )
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
            models.CheckConstraint(
                condition=_art9_pairs_q(), name="art9_condition_fits_schedule_1"
            ),
            # "No contract, no processing" (UK GDPR Art 28(3)).
            # A use of photographs is the school's own processing, and only it.
            models.CheckConstraint(
                condition=(Q(kind="photos") & Q(role="school"))
                | (~Q(kind="photos") & ~Q(role="school")),
                name="photographs_are_the_schools_own_processing",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_use")
                | Q(role="school")
                | (
                    Q(dpa_signed_on__isnull=False)
                    & ~Q(contract_reference="")
                    & (~Q(contract_location="") | Q(contract_document__isnull=False))
                ),
                name="provider_in_use_has_contract",
            ),
            models.CheckConstraint(
                condition=Q(transfer_safeguard="")
                | Q(
                    storage_location__in=sorted(ADEQUATE_LOCATIONS),
                    transfer_safeguard=TransferSafeguard.ADEQUACY,
                )
                | Q(
                    storage_location__in=sorted(CONTRACT_LOCATIONS),
                    transfer_safeguard__in=[TransferSafeguard.IDTA, TransferSafeguard.UK_ADDENDUM],
                ),
                name="transfer_safeguard_fits_location",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_use")
                | Q(storage_location=StorageLocation.UK)
                | (
                    ~Q(transfer_safeguard="")
                    & (
                        Q(storage_location__in=sorted(ADEQUATE_LOCATIONS))
                        | Q(transfer_risk_assessed_on__isnull=False)
                    )
                ),
                name="provider_in_use_transfer_has_safeguard",
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

    @property
    def receives_pupil_data(self) -> bool:
        return bool(set(self.data_categories) - NOT_PUPIL_DATA)

    @property
    def transfers_outside_uk(self) -> bool:
        return self.storage_location != StorageLocation.UK

    @property
    def is_schools_own(self) -> bool:
        """The school's own processing (a use of photographs): no processor,
        no recipient."""
        return self.role == ProviderRole.SCHOOL

    @property
    def needs_contract(self) -> bool:
        """A processor needs an Art 28 contract; photograph uses are the
        school's own processing (docs/law.md, "Biometrics and photographs")."""
        return not self.is_schools_own

    @property
    def has_contract_on_record(self) -> bool:
        return bool(
            self.dpa_signed_on
            and self.contract_reference.strip()
            and (
                self.contract_location.strip()
                # A copy chosen but not yet stored counts (the service stores
                # it first); reading the relation costs no query either way.
                or self.contract_document_id is not None
                or self.contract_document is not None
            )
        )

    def clean(self) -> None:
        super().clean()
        errors = law_problems(self)
        if (message := self.dpia_problem()) is not None:
            errors.setdefault("status", []).append(message)
        if errors:
            raise ValidationError(errors)

    def dpia_problem(self, status: str | None = None) -> str | None:
        """Why this provider may not be approved or in use for want of a
        DPIA (``status``: the one it would take, else its own), or None.
        Checked on every save while approved or in use, not only when the
        status changes: a provider in use that gains a DPIA trigger
        (biometric data, profiling...) must not stay in use without one."""
        status = status or self.status
        if status not in (ProviderStatus.APPROVED, ProviderStatus.IN_USE) or not self.needs_dpia:
            return None
        if self.pk and self.signed_off_dpia():
            return None
        return str(
            _(
                "%(service)s cannot be marked “%(status)s”: its DPIA screening says a data "
                "protection impact assessment is needed, and none has been completed and "
                "signed off by the DPO with a decision to go ahead. Start a DPIA from the "
                "provider's page."
            )
            % {"service": self.service, "status": ProviderStatus(status).label}
        )

    @property
    def dpia_reasons(self) -> list[str]:
        return dpia.reasons(self.dpia_screening or [], self.data_categories or [])

    @property
    def needs_dpia(self) -> bool:
        return bool(self.dpia_reasons)

    def signed_off_dpia(self) -> Dpia | None:
        """The latest signed-off DPIA, if it lets the processing go ahead."""
        latest = self.dpias.published().order_by("-version").first()
        return latest if latest is not None and latest.allows_processing else None

    def latest_assessment(self) -> RiskAssessment | None:
        return self.assessments.published().order_by("-version").first()

    def has_approving_assessment(self) -> bool:
        latest = self.latest_assessment()
        return latest is not None and latest.approves

    def get_data_categories_display(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.data_categories]


def law_problems(p: Provider) -> dict[str, list[str]]:
    """What the law refuses in this provider record, by field (empty when
    none). The same rules stand as constraints in the table where SQL can
    say them (the data categories are a JSON list, so the Art 9 and Art 6
    rules on them live here only)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: object) -> None:
        errors.setdefault(field, []).append(str(message))

    categories = p.data_categories if isinstance(p.data_categories, list) else []
    special = SPECIAL_CATEGORIES.intersection(categories)
    if special and not p.art9_condition:
        add(
            "art9_condition",
            _(
                "This provider receives special category data (%(categories)s). Choose the "
                "Art 9 condition the school relies on to share it."
            )
            % {
                "categories": ", ".join(str(DataCategory(c).label).lower() for c in sorted(special))
            },
        )
    if p.art9_condition and not special:
        add(
            "art9_condition",
            _("This provider receives no special category data: leave the Art 9 condition empty."),
        )
    allowed = SCHEDULE_1_FOR.get(p.art9_condition, frozenset())  # type: ignore[call-overload]
    if allowed and p.schedule1_paragraph not in allowed:
        add(
            "schedule1_paragraph",
            _("%(condition)s needs one of these Schedule 1 paragraphs: %(paragraphs)s.")
            % {
                "condition": Art9Condition(p.art9_condition).label,
                "paragraphs": "; ".join(
                    str(Schedule1Paragraph(x).label) for x in sorted(allowed, key=int)
                ),
            },
        )
    elif not allowed and p.schedule1_paragraph:
        add(
            "schedule1_paragraph",
            _("This Art 9 condition takes no Schedule 1 paragraph: leave it empty."),
        )
    if p.lawful_basis == LawfulBasis.CONTRACT and set(categories) - NOT_PUPIL_DATA:
        add(
            "lawful_basis",
            _(
                "“Contract” can only cover the data of someone who is a party to the contract. "
                "A pupil is not a party to the provider's contract with the school or with a "
                "parent, so it cannot be the basis for pupils' data. Choose public task, legal "
                "obligation or consent."
            ),
        )
    if p.kind == PurposeKind.PHOTOGRAPHS and p.role != ProviderRole.SCHOOL:
        add(
            "role",
            _(
                "A use of photographs is the school's own processing: the school is the "
                "controller and no processor is involved. Choose “%(role)s”."
            )
            % {"role": ProviderRole.SCHOOL.label},
        )
    elif p.role == ProviderRole.SCHOOL and p.kind != PurposeKind.PHOTOGRAPHS:
        add(
            "role",
            _(
                "A cloud service or a biometric system is run by another organisation: "
                "choose processor or independent controller."
            ),
        )
    screening = p.dpia_screening if isinstance(p.dpia_screening, list) else [None]
    if set(screening) - set(dpia.BY_CODE):
        add("dpia_screening", _("Unknown DPIA screening answer."))
    _transfer_problems(p, add)
    # Photographs are the school's own use, with no processor: no Art 28 contract.
    if p.status == ProviderStatus.IN_USE and not p.has_contract_on_record and p.needs_contract:
        add(
            "status",
            _(
                "A provider can only be in use with its Art 28 contract on record: the date it "
                "was signed, its reference, and a copy uploaded or where the signed copy is kept."
            ),
        )
    return errors


def _transfer_problems(p: Provider, add) -> None:
    location, safeguard = p.storage_location, p.transfer_safeguard
    if location == StorageLocation.UK:
        if safeguard:
            add("transfer_safeguard", _("Data stored in the UK needs no transfer safeguard."))
        return
    if safeguard:
        fits = (
            safeguard == TransferSafeguard.ADEQUACY
            if location in ADEQUATE_LOCATIONS
            else safeguard in (TransferSafeguard.IDTA, TransferSafeguard.UK_ADDENDUM)
        )
        if not fits:
            add(
                "transfer_safeguard",
                _(
                    "Adequacy regulations cover only the EEA and countries with UK adequacy; "
                    "elsewhere choose the IDTA or the UK Addendum."
                ),
            )
    if p.status != ProviderStatus.IN_USE:
        return
    if not safeguard:
        add(
            "transfer_safeguard",
            _("The data is stored outside the UK: record the transfer safeguard before use."),
        )
    elif location in CONTRACT_LOCATIONS and not p.transfer_risk_assessed_on:
        add(
            "transfer_risk_assessed_on",
            _(
                "A transfer under the IDTA or the UK Addendum needs a transfer risk "
                "assessment: record the date it was done."
            ),
        )


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


class PublishedDocumentQuerySet(models.QuerySet):
    def published(self) -> Self:
        return self.filter(status=NoticeStatus.PUBLISHED)

    def current_for(self, school: School) -> Any:
        """The school's newest published version, or None."""
        return self.published().filter(school=school).order_by("-version").first()


class PublishedDocument(FrozenOncePublished):
    """A document the school publishes in numbered versions: drafted (by
    its service), published once, then never changed. Each concrete one
    adds its school (with its own related name), its title and its
    constraints' names."""

    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(
        _("text"),
        help_text=_("Plain text; blank lines separate paragraphs, '## ' starts a heading."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PublishedDocumentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["school", "-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display()})"  # type: ignore[attr-defined]

    @property
    def is_published(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED


class PrivacyNotice(PublishedDocument):
    """One version of the pupil privacy notice. Once published it never
    changes: consent records point at the version a parent saw."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="privacy_notices")
    title = models.CharField(_("title"), max_length=200, default="Privacy notice for pupils")

    class Meta(PublishedDocument.Meta):
        verbose_name = _("privacy notice")
        permissions = [("publish_privacynotice", "Can publish the privacy notice")]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_notice_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_notice_has_date",
            ),
        ]


class PolicyDocument(PublishedDocument):
    """One version of the appropriate policy document (DPA 2018 Sch 1
    Part 4), published beside the privacy notice; frozen once published."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="policy_documents")
    title = models.CharField(_("title"), max_length=200)

    class Meta(PublishedDocument.Meta):
        verbose_name = _("appropriate policy document")
        permissions = [("publish_policydocument", "Can publish the appropriate policy document")]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_policy_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_policy_has_date",
            ),
        ]


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


class RiskAssessmentQuerySet(SchoolScopedQuerySet):
    school_path = "provider__school"

    def published(self) -> RiskAssessmentQuerySet:
        return self.filter(status=AssessmentStatus.PUBLISHED)

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


# --- Contracts -------------------------------------------------------------


class ContractDocument(models.Model):
    """An uploaded copy of a provider's signed Art 28 contract. Kept in the
    database (like CTF files), never in a public folder; staff download it
    through the staff site."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("file"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contract document")
        default_permissions = ()

    def __str__(self) -> str:
        return self.file_name


# --- DPIAs -----------------------------------------------------------------


class ResidualRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DpiaDecision(models.TextChoices):
    PROCEED = "proceed", _("Go ahead")
    PROCEED_WITH_MEASURES = "measures", _("Go ahead with the measures listed")
    CONSULT_ICO = "consult_ico", _("Consult the ICO first (high risk remains, Art 36)")
    DO_NOT_PROCEED = "stop", _("Do not go ahead")


DPIA_ALLOWS = frozenset({DpiaDecision.PROCEED, DpiaDecision.PROCEED_WITH_MEASURES})


class DpiaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Signed off by the DPO")


class DpiaQuerySet(SchoolScopedQuerySet):
    school_path = "school"

    def published(self) -> DpiaQuerySet:
        return self.filter(status=DpiaStatus.PUBLISHED)


class Dpia(FrozenOncePublished):
    """A Data Protection Impact Assessment (UK GDPR Art 35) of a provider or
    of the school's own processing (CCTV, a new safeguarding system, one of
    ``providers.purposes``): exactly one of ``provider`` and ``processing``.
    Versioned like risk assessments: signed off, it never changes."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="dpias")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="dpias", null=True, blank=True
    )
    processing = models.CharField(
        _("the school's own processing"),
        max_length=200,
        blank=True,
        help_text=_(
            "For a DPIA of something the school does itself, not a provider: e.g. "
            "“CCTV in the playground”."
        ),
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=DpiaStatus.choices, default=DpiaStatus.DRAFT
    )
    screening = models.JSONField(
        _("screening answers when started"), default=list, blank=True, editable=False
    )
    description = models.TextField(
        _("the processing"),
        blank=True,
        help_text=_("Its nature, scope, context and purposes: what, whose, how much, how long."),
    )
    necessity = models.TextField(
        _("necessity and proportionality"),
        blank=True,
        help_text=_("Why it is needed, and why less data or another way would not do."),
    )
    risks = models.TextField(
        _("risks to pupils and families"),
        blank=True,
        help_text=_("Each risk, how likely and how severe."),
    )
    measures = models.TextField(_("measures to reduce the risks"), blank=True)
    residual_risk = models.CharField(
        _("risk that remains"), max_length=10, choices=ResidualRisk.choices, blank=True
    )
    dpo_advice = models.TextField(_("the DPO's advice"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=DpiaDecision.choices, blank=True
    )
    decision_notes = models.TextField(
        _("reasons for the decision"),
        blank=True,
        help_text=_("Say why, especially where the DPO's advice is not followed."),
    )
    review_on = models.DateField(_("review by"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    published_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DpiaQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "-version"]
        verbose_name = _("DPIA")
        verbose_name_plural = _("DPIAs")
        permissions = [("publish_dpia", "Can sign off a DPIA (the DPO)")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "version"], name="unique_dpia_version"),
            models.UniqueConstraint(
                fields=["school", "processing", "version"],
                condition=Q(provider__isnull=True),
                name="unique_processing_dpia_version",
            ),
            # Of a provider, or of the school's own processing: one, never both.
            models.CheckConstraint(
                condition=(Q(provider__isnull=False) & Q(processing=""))
                | (Q(provider__isnull=True) & ~Q(processing="")),
                name="dpia_of_a_provider_or_own_processing",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(
                        published_at__isnull=False,
                        review_on__isnull=False,
                        signed_off_by__isnull=False,
                    )
                    & ~Q(risks="")
                    & ~Q(measures="")
                    & ~Q(residual_risk="")
                    & ~Q(dpo_advice="")
                    & ~Q(decision="")
                ),
                name="signed_off_dpia_is_complete",
            ),
            # A high risk that remains needs the ICO first (Art 36(1)).
            models.CheckConstraint(
                condition=~Q(residual_risk="high") | ~Q(decision__in=sorted(DPIA_ALLOWS)),
                name="high_residual_risk_does_not_go_ahead",
            ),
        ]

    def __str__(self) -> str:
        return f"DPIA: {self.subject} v{self.version} ({self.get_status_display()})"

    @property
    def subject(self) -> str:
        """What is assessed: the provider's service, or the school's own processing."""
        return self.provider.service if self.provider is not None else self.processing

    def clean(self) -> None:
        super().clean()
        if (self.provider_id is None) == (not self.processing.strip()):
            raise ValidationError(
                {
                    "processing": _(
                        "A DPIA is of a provider or of the school's own processing: name the "
                        "processing only when no provider is chosen."
                    )
                }
            )
        if self.provider is not None and self.provider.school_id != self.school_id:
            raise ValidationError({"provider": _("The provider must be this school's.")})

    @property
    def is_published(self) -> bool:
        return self.status == DpiaStatus.PUBLISHED

    @property
    def allows_processing(self) -> bool:
        return self.is_published and self.decision in DPIA_ALLOWS
