"""Special category data (UK GDPR Art 9; docs/law.md, "Special category
data"): ethnicity, SEN and health.

Only users with pupils.view_special_category see them, and every view is
logged (pupils.audit.record_special_category_view).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from .record import Pupil, Sourced


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
