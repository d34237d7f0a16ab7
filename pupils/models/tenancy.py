"""Tenancy: the schools of an instance, their terms and closures, and which
school a member of staff belongs to (or whether they see every school)."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


class SchoolScopedQuerySet(models.QuerySet):
    """Records that belong to a school: staff see those of the schools
    visible to them (``SchoolQuerySet.visible_to``), the one rule of
    tenancy. ``school_path`` is the lookup from the record to its school."""

    school_path = "school"

    def visible_to(self, user) -> Self:
        return self.filter(**{f"{self.school_path}__in": School.objects.visible_to(user)})

    def for_school(self, school: School) -> Self:
        return self.filter(**{self.school_path: school})


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
    # Set only by pupils.yeargroups.move_up_a_year (never in a form): the
    # academic year, by its start year, whose move up a year was done.
    year_groups_moved_for = models.PositiveSmallIntegerField(
        _("year groups moved up for"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The school year (2026 for 2026/27) whose move up a year was done."),
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
