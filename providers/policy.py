"""The appropriate policy document (DPA 2018 Schedule 1 Part 4), generated
for the special category conditions the school relies on: the school's own
(``providers.purposes``) and those of the providers in use or approved.

Schedule 1 para 39 asks what the document must say: the procedures for
complying with the principles in Art 5, and the retention and erasure
policy for the data, with how long it is likely to be kept. Para 40: keep it
under review, keep it until six months after the processing ends, and give
it to the Commissioner on request (docs/law.md, "Special category data").
Same plain-text format as the notice (``notice.parse_blocks``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from pupils.models import School
from pupils.retention.rules import Kind
from pupils.retention.schedule import schedule_for

from .models import (
    NEEDS_POLICY_DOCUMENT,
    Art9Condition,
    Provider,
    ProviderStatus,
    Schedule1Paragraph,
)
from .purposes import SCHOOL_PURPOSES


@dataclass(frozen=True)
class Reliance:
    condition: str
    paragraph: str
    uses: tuple[str, ...]


def conditions_relied_on(school: School) -> list[Reliance]:
    """Each Schedule 1 paragraph that needs this document, with what relies
    on it, in paragraph order."""
    uses: dict[tuple[str, str], list[str]] = {}
    for p in SCHOOL_PURPOSES:
        if p.art9 and p.paragraph in NEEDS_POLICY_DOCUMENT:
            uses.setdefault((p.art9, p.paragraph), []).append(str(p.what))
    providers = (
        Provider.objects.for_school(school)
        .filter(status__in=[ProviderStatus.IN_USE, ProviderStatus.APPROVED])
        .filter(schedule1_paragraph__in=sorted(NEEDS_POLICY_DOCUMENT))
        .order_by("service")
    )
    for provider in providers:
        key = (provider.art9_condition, provider.schedule1_paragraph)
        uses.setdefault(key, []).append(
            _("Sharing with %(service)s: %(purpose)s")
            % {"service": provider.service, "purpose": provider.purpose}
        )
    return [
        Reliance(condition, paragraph, tuple(items))
        for (condition, paragraph), items in sorted(uses.items(), key=lambda kv: int(kv[0][1]))
    ]


#: The kinds of record in the retention schedule that hold special category
#: data (medical and ethnicity with the educational record).
SPECIAL_CATEGORY_RECORDS = (
    Kind.EDUCATIONAL_RECORD,
    Kind.PASSED_ON_RECORD,
    Kind.SEN,
    Kind.CHILD_PROTECTION,
)


def _retention_lines(school: School) -> list[str]:
    """The school's own periods (``pupils.retention``), as the notice's
    "How long we keep it" says them: never fixed text, so a period the
    school changes is the period this document states."""
    return [
        f"{entry.label}: {entry.period_text}."
        for entry in schedule_for(school)
        if entry.kind in SPECIAL_CATEGORY_RECORDS
    ]


def default_title() -> str:
    return _("Appropriate policy document: special category data")


def generate(school: School) -> str:
    sections: list[str] = [
        _(
            "%(school)s relies on conditions in Schedule 1 of the Data Protection Act 2018 to "
            "use special category data (such as health, special educational needs and "
            "ethnicity) and information about criminal convictions. The Act asks us to have "
            "this appropriate policy document for those conditions (Schedule 1 Part 4). It "
            "explains how we comply with the data protection principles, and how long we keep "
            "the information."
        )
        % {"school": school.name},
        "## " + _("The conditions we rely on"),
    ]
    for r in conditions_relied_on(school):
        condition = Art9Condition(r.condition).label
        paragraph = Schedule1Paragraph(r.paragraph).label
        sections.append(f"{condition}, {paragraph}:")
        sections.append("\n".join("- " + use for use in r.uses))
    sections += [
        "## " + _("How we comply with the principles (UK GDPR Article 5)"),
        "\n".join(
            "- " + line
            for line in (
                _(
                    "Lawfulness, fairness and transparency: we use this information only under "
                    "the conditions above, and our privacy notice tells families what we hold, "
                    "why, and who receives it."
                ),
                _(
                    "Purpose limitation: we use it only for the purposes listed here, and do "
                    "not use it for anything incompatible with them."
                ),
                _(
                    "Data minimisation: we collect only what each purpose needs, and share with "
                    "a provider only the fields it needs, listed on our website."
                ),
                _(
                    "Accuracy: families can check and correct what we hold; we update records "
                    "when we are told of a change."
                ),
                _(
                    "Storage limitation: we keep it only as long as the retention schedule "
                    "below says, then delete or anonymise it."
                ),
                _(
                    "Integrity and confidentiality: only staff who need it can see it; every "
                    "look at it is recorded; free-text medical and SEN notes are encrypted; "
                    "providers are risk assessed and bound by a written contract."
                ),
                _(
                    "Accountability: our Data Protection Officer, %(dpo)s, advises on and "
                    "monitors this use, and we keep records of processing, disclosures and "
                    "impact assessments."
                )
                % {"dpo": school.dpo_name},
            )
        ),
        "## " + _("How long we keep it, and how we erase it"),
        _(
            "Medical information and ethnicity are kept with the pupil's educational record; "
            "special educational needs files and child-protection information on their own. "
            "Our retention schedule keeps them for these periods:"
        ),
        "\n".join("- " + line for line in _retention_lines(school)),
        _(
            "When the period ends the information is securely deleted or anonymised, and the "
            "deletion is logged. Our privacy notice gives the full retention schedule."
        ),
        "## " + _("Review"),
        _(
            "We review this document at least once a year and whenever the conditions we rely "
            "on change. We keep each version for at least six months after we stop relying on "
            "its conditions, and give it to the Information Commissioner on request."
        ),
    ]
    return "\n\n".join(sections) + "\n"
