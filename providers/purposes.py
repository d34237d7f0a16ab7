"""What the school itself does with pupils' data, and who receives it: the
one list read by the privacy notice (``providers.notice``) and the
appropriate policy document (``providers.policy``). The providers' own
purposes come from their records; these are the school's.

Each purpose names its UK GDPR Art 6 basis, the law behind it, and for
special category data its Art 9 condition with the DPA 2018 Schedule 1
paragraph (docs/law.md, "Lawful bases" and "Special category data").
``sharing`` is built on ``providers``, so the recipients the disclosure log
offers are listed here, not imported from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Art9Condition, LawfulBasis, Schedule1Paragraph


@dataclass(frozen=True)
class Purpose:
    what: object  # plain English, translatable
    basis: LawfulBasis
    law: object  # the statute the basis rests on
    art9: Art9Condition | None = None
    paragraph: Schedule1Paragraph | None = None


B, C, P = LawfulBasis, Art9Condition, Schedule1Paragraph

SCHOOL_PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        _("Admitting pupils and keeping the admission and attendance registers"),
        B.LEGAL_OBLIGATION,
        _("the School Attendance (Pupil Registration) (England) Regulations 2024"),
    ),
    Purpose(
        _(
            "Sending the school census, attendance and exclusion information to the DfE and "
            "the local authority"
        ),
        B.LEGAL_OBLIGATION,
        _("section 537A of the Education Act 1996 and the regulations made under it"),
    ),
    Purpose(
        _("Passing a pupil's records to their next school"),
        B.LEGAL_OBLIGATION,
        _("regulation 9 of the Education (Pupil Information) (England) Regulations 2005"),
    ),
    Purpose(
        _("Teaching pupils, and assessing and reporting their progress"),
        B.PUBLIC_TASK,
        _("the Education Act 1996 and the Education Act 2002"),
    ),
    Purpose(
        _("Looking after pupils' welfare and keeping them safe (safeguarding)"),
        B.PUBLIC_TASK,
        _("section 175 of the Education Act 2002 and the Children Act 1989"),
        C.SUBSTANTIAL_PUBLIC_INTEREST,
        P.SAFEGUARDING,
    ),
    Purpose(
        _("Supporting pupils with medical conditions, allergies and dietary needs"),
        B.LEGAL_OBLIGATION,
        _("section 100 of the Children and Families Act 2014"),
        C.SUBSTANTIAL_PUBLIC_INTEREST,
        P.STATUTORY,
    ),
    Purpose(
        _("Meeting special educational needs"),
        B.LEGAL_OBLIGATION,
        _("Part 3 of the Children and Families Act 2014"),
        C.SUBSTANTIAL_PUBLIC_INTEREST,
        P.STATUTORY,
    ),
    Purpose(
        _("Recording ethnicity to monitor equality of opportunity (and in the census)"),
        B.PUBLIC_TASK,
        _("the Equality Act 2010 public sector equality duty (section 149)"),
        C.SUBSTANTIAL_PUBLIC_INTEREST,
        P.EQUALITY,
    ),
)


@dataclass(frozen=True)
class DataItem:
    what: object
    required: bool
    note: object


DATA_ITEMS: tuple[DataItem, ...] = (
    DataItem(
        _("Pupil's name, date of birth, sex, address and parents' contact details"),
        True,
        _("required by law for the admission register"),
    ),
    DataItem(_("Attendance"), True, _("required by law for the attendance register")),
    DataItem(
        _("Assessment results"), True, _("required by law for statutory assessments and reports")
    ),
    DataItem(
        _("Special educational needs"),
        True,
        _("needed for us to meet the needs the law says we must meet"),
    ),
    DataItem(
        _("Ethnicity"),
        False,
        _("voluntary: you may refuse to say, and we record “refused” in the census"),
    ),
    DataItem(
        _("Medical conditions, allergies and dietary needs"),
        False,
        _("voluntary, but without them we may not be able to keep your child safe at school"),
    ),
    DataItem(
        _("Answers about cloud services, photographs and other consent questions"),
        False,
        _("voluntary: saying no never affects your child's education"),
    ),
)


#: Who may receive pupils' information besides the cloud services: the
#: statutory recipients and the recipient types offered by the disclosure
#: log (sharing.disclosures), each with the reason in plain English.
RECIPIENTS: tuple[tuple[object, object], ...] = (
    (
        _("The Department for Education (DfE)"),
        _("the school census and other returns the law requires"),
    ),
    (_("Our local authority"), _("the census, attendance, exclusions, admissions and SEN")),
    (_("The pupil's next school"), _("their records, when they move")),
    (
        _("Children's social care"),
        _("when we must share information to protect a child (safeguarding)"),
    ),
    (
        _("The police"),
        _("when the law allows it to prevent or detect crime, or to protect a child"),
    ),
    (
        _("Health services, such as the school nursing team and NHS immunisation services"),
        _("for health checks, immunisations and to keep a child safe"),
    ),
    (_("Ofsted"), _("when inspectors look at records during an inspection")),
)
