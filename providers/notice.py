"""The default pupil privacy notice, generated from what the application
knows about the school.

It keeps the promises of the school's previous notice (listed, one by one,
in tests/providers/test_notice.py, which checks each) but cites the law in
force: UK GDPR and the Data Protection Act 2018, never the repealed Data
Protection Act 1998 (docs/law.md, "Lawful bases" and "Statutory sharing").
One promise is dropped on purpose: "without your consent unless the law and
our policies allow" presented consent as the default and a policy as a
lawful gateway. Each purpose carries its basis, one table row each (the
school's own from ``providers.purposes``, then each provider in use), and
the notice covers every item of UK GDPR Articles 13 and 14 (checked one by
one in tests/providers/test_notice_checklist.py).

Format (read by ``parse_blocks``): blank lines separate paragraphs, a line
starting "## " is a heading, lines starting "- " form a list, and lines
starting "| " form a table (cells separated by " | ", the first row the
header).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from pupils.models import School
from pupils.retention.schedule import notice_lines

from . import purposes
from .models import (
    Art9Condition,
    LawfulBasis,
    Provider,
    Schedule1Paragraph,
    StorageLocation,
    TransferSafeguard,
)
from .recipients import recipients_in_use

NPD_APPLY_URL = "https://www.gov.uk/guidance/national-pupil-database-apply-for-a-data-extract"
NPD_REQUESTS_URL = (
    "https://www.gov.uk/government/publications/national-pupil-database-requests-received"
)
ICO_COMPLAINT_URL = "https://ico.org.uk/make-a-complaint/"


def default_title() -> str:
    return _("Privacy notice for pupils")


def privacy_page_url(school: School) -> str:
    if school.hostname:
        return f"https://{school.hostname}/privacy"
    if school.website:
        return school.website.rstrip("/") + "/privacy"
    return "/privacy"


def _contact_line(school: School) -> str:
    parts = [school.name]
    if school.phone:
        parts.append(_("telephone %(phone)s") % {"phone": school.phone})
    if school.email:
        parts.append(_("e-mail %(email)s") % {"email": school.email})
    if school.contact_page:
        parts.append(school.contact_page)
    return ", ".join(parts)


def _dpo_line(school: School) -> str:
    line = _("Our Data Protection Officer is %(name)s, e-mail %(email)s") % {
        "name": school.dpo_name,
        "email": school.dpo_email,
    }
    if school.dpo_phone:
        line += _(", telephone %(phone)s") % {"phone": school.dpo_phone}
    return line + "."


def _basis_label(basis: str) -> str:
    return {
        LawfulBasis.CONSENT: _("Consent, Article 6(1)(a)"),
        LawfulBasis.CONTRACT: _("Contract, Article 6(1)(b)"),
        LawfulBasis.LEGAL_OBLIGATION: _("Legal obligation, Article 6(1)(c)"),
        LawfulBasis.VITAL_INTERESTS: _("Vital interests, Article 6(1)(d)"),
        LawfulBasis.PUBLIC_TASK: _("Public task, Article 6(1)(e)"),
    }[LawfulBasis(basis)]


def _art9_label(condition: str, paragraph: str) -> str:
    if not condition:
        return _("None")
    text = str(Art9Condition(condition).label)
    if paragraph:
        text += ", " + str(Schedule1Paragraph(paragraph).label)
    return text


def _cell(text: object) -> str:
    return " ".join(str(text).replace("|", "/").split())


def _purpose_table(school: School) -> str:
    """One row per purpose: the school's own, then each provider in use."""
    rows = [
        "| "
        + " | ".join(
            [
                _("What we do"),
                _("Lawful basis (UK GDPR Article 6)"),
                _("Special category condition (Article 9)"),
            ]
        )
    ]
    for p in purposes.SCHOOL_PURPOSES:
        basis = _("%(basis)s: %(law)s") % {"basis": _basis_label(p.basis), "law": p.law}
        art9 = _art9_label(p.art9 or "", p.paragraph or "")
        rows.append("| " + " | ".join(_cell(x) for x in (p.what, basis, art9)))
    for provider in _in_use(school):
        if provider.is_schools_own:
            # The school's own use (photographs): a purpose, not a provider.
            what = f"{provider.service}: {provider.purpose}"
        else:
            what = _("Using %(service)s: %(purpose)s") % {
                "service": provider.service,
                "purpose": provider.purpose,
            }
        basis = _basis_label(provider.lawful_basis)
        art9 = _art9_label(provider.art9_condition, provider.schedule1_paragraph)
        rows.append("| " + " | ".join(_cell(x) for x in (what, basis, art9)))
    return "\n".join(rows)


def _in_use(school: School) -> list[Provider]:
    return list(Provider.objects.for_school(school).in_use().order_by("service"))


def _recipients_in_use(school: School) -> list[Provider]:
    """The providers in use that receive data: not the school's own uses."""
    return [p for p in _in_use(school) if not p.is_schools_own]


def _providers_list(school: School) -> str:
    providers = _recipients_in_use(school)
    if not providers:
        return _("We do not use any cloud services that receive pupils' information.")
    return "\n".join(
        "- " + _("%(service)s (%(name)s)") % {"service": p.service, "name": p.name}
        for p in providers
    )


def _organisations(school: School) -> list[str]:
    """The organisations the school has actually shared with, by name (from
    the sources registered in ``providers.recipients``: the disclosure log)."""
    named = recipients_in_use(school)
    if not named:
        return []
    return [
        _("The organisations we have shared pupils' information with, and why:"),
        "\n".join(
            "- " + (_("%(who)s: %(why)s") % {"who": who, "why": why} if why else who)
            for who, why in named
        ),
    ]


def _transfers(school: School) -> str:
    abroad = [p for p in _recipients_in_use(school) if p.transfers_outside_uk]
    if not abroad:
        return _("None of the services we use stores pupils' information outside the UK.")
    lines = [
        "- "
        + _("%(service)s: %(where)s, protected by %(safeguard)s")
        % {
            "service": p.service,
            "where": p.storage_detail or StorageLocation(p.storage_location).label,
            "safeguard": TransferSafeguard(p.transfer_safeguard).label,
        }
        for p in abroad
    ]
    return (
        _(
            "These services store information outside the UK, each with a safeguard the law "
            "recognises:"
        )
        + "\n\n"
        + "\n".join(lines)
    )


def generate(school: School) -> str:
    address = ", ".join(line.strip() for line in school.address.splitlines() if line.strip())
    sections: list[str] = [
        _(
            "This notice explains how %(school)s collects, uses and shares information "
            "about its pupils, and the rights pupils and their parents and carers have."
        )
        % {"school": school.name},
        "## " + _("Who we are"),
        _(
            "%(school)s, %(address)s %(postcode)s, is the controller of the personal data "
            "described here."
        )
        % {"school": school.name, "address": address, "postcode": school.postcode}
        + (
            " "
            + _("Our registration number with the Information Commissioner's Office is %(n)s.")
            % {"n": school.ico_registration}
            if school.ico_registration
            else ""
        ),
        _dpo_line(school),
        "## " + _("The information we hold"),
        _(
            "We collect and hold personal information about our pupils. We may also receive "
            "information about them from their previous school, the local authority and the "
            "Department for Education (DfE)."
        ),
        _("This information includes:"),
        "\n".join(
            [
                "- " + _("contact details of pupils and their parents and carers"),
                "- " + _("national curriculum and other assessment results"),
                "- " + _("attendance information"),
                "- " + _("exclusion and suspension information"),
                "- " + _("where pupils go after they leave us (destinations)"),
                "- "
                + _(
                    "special category data: ethnic group, special educational needs, "
                    "and relevant medical information"
                ),
            ]
        ),
        "## " + _("Which information you must give us"),
        _(
            "Some information the law requires us to collect; the rest you choose whether to "
            "give us:"
        ),
        "\n".join(
            "- "
            + (_("%(what)s: %(note)s.") % {"what": item.what, "note": item.note})
            + (" " + _("(Required.)") if item.required else " " + _("(Voluntary.)"))
            for item in purposes.DATA_ITEMS
        ),
        "## " + _("Why we use it"),
        _("We use this personal data to:"),
        "\n".join(
            [
                "- " + _("support our pupils' learning"),
                "- " + _("monitor and report on their progress"),
                "- " + _("provide appropriate pastoral care"),
                "- " + _("assess the quality of our services"),
                "- " + _("meet the statutory duties placed on us"),
            ]
        ),
        "## " + _("Our lawful basis for each purpose"),
        _(
            "The UK General Data Protection Regulation (UK GDPR) and the Data Protection Act "
            "2018 allow us to use personal information only on a lawful basis (Article 6), and "
            "special category information, such as health, special educational needs and "
            "ethnicity, only under a further condition (Article 9, with Schedule 1 of the Data "
            "Protection Act 2018). This is the basis for each thing we do:"
        ),
        _purpose_table(school),
        _(
            "Most of what we do is required by law or is part of our public task of educating "
            "and caring for pupils, so it does not depend on consent. We ask for your consent "
            "only where you have a real choice; those purposes are marked “consent” above, and "
            "you can withdraw consent at any time. As a public authority we do not rely on "
            "legitimate interests for these tasks."
        ),
        _(
            "We share pupils' information only where the law allows it: because the law "
            "requires it, to carry out our public task, to protect a child, or with your "
            "consent where we have asked for it."
        ),
        _(
            "Our appropriate policy document explains how we protect special category "
            "information: %(url)s"
        )
        % {"url": privacy_page_url(school) + "/policy"},
        "## " + _("Who we share it with"),
        _("Besides the cloud services listed below, we share pupils' information with:"),
        "\n".join(
            "- " + (_("%(who)s: %(why)s") % {"who": who, "why": why})
            for who, why in purposes.RECIPIENTS
        ),
        *_organisations(school),
        _(
            "We are required by law to pass certain information about our pupils to our "
            "local authority (LA) and the Department for Education (DfE): the school census "
            "(section 537A of the Education Act 1996), attendance and exclusion information. "
            "When a pupil moves school we send their Common Transfer File and educational "
            "record to the new school (regulation 9 of the Education (Pupil Information) "
            "(England) Regulations 2005)."
        ),
        _(
            "The DfE keeps pupil data it receives in the National Pupil Database. The DfE "
            "may share pupil-level personal data that we supply to it with third parties. "
            "This only takes place where legislation allows it and in compliance with the "
            "UK GDPR and the Data Protection Act 2018."
        ),
        _(
            "Decisions on whether the DfE releases this personal data to third parties are "
            "subject to a robust approval process and are based on a detailed assessment of "
            "who is requesting the data, the purpose for which it is required, the level and "
            "sensitivity of data requested and the arrangements in place to store and handle "
            "the data. To be granted access to pupil-level data, requestors must comply with "
            "strict terms and conditions covering the confidentiality and handling of data, "
            "security arrangements and retention and use of the data."
        ),
        _("For more information on how this sharing process works, please visit: %(url)s")
        % {"url": NPD_APPLY_URL},
        _(
            "For information on which third-party organisations (and for which project) "
            "pupil-level data has been provided to, please visit: %(url)s"
        )
        % {"url": NPD_REQUESTS_URL},
        "## " + _("Cloud services"),
        _(
            "We may share information about pupils with cloud-based service providers to "
            "support the education of pupils. This is done in accordance with the UK GDPR "
            "and the Data Protection Act 2018, under a written contract with each provider."
        ),
        _providers_list(school),
        "## " + _("Transfers outside the UK"),
        _transfers(school),
        _(
            "All providers are risk assessed before we use them and reviewed regularly. The "
            "list of the providers we use, what each receives and where the data is stored "
            "is published on our website: %(url)s"
        )
        % {"url": privacy_page_url(school)},
        _(
            "For the services that rely on consent, parents will be asked to give consent "
            "before we enrol their child in them, by completing the cloud services consent "
            "form. Parents will be "
            "able to opt out of the services at any time. Where a parent opts out of a "
            "service, the school will do all that it reasonably can to provide an offline "
            "alternative."
        ),
        "## " + _("How long we keep it"),
        _(
            "The pupil's educational record passes to their next school when they leave. "
            "We keep each kind of record for the period below (our retention schedule):"
        ),
        "\n".join("- " + line for line in notice_lines(school)),
        _("When the period ends the information is securely deleted or anonymised."),
        "## " + _("Your rights"),
        _("Pupils, and parents and carers acting for them, have the right to:"),
        "\n".join(
            [
                "- " + _("ask for a copy of the information we hold (subject access)"),
                "- " + _("have inaccurate information corrected (rectification)"),
                "- " + _("ask for information to be deleted (erasure) in some circumstances"),
                "- " + _("ask us to restrict how we use it (restriction)"),
                "- " + _("object to how we use it (objection)"),
                "- "
                + _(
                    "receive the information you gave us, where we use it on consent and by "
                    "computer, in a format you can take elsewhere (data portability)"
                ),
                "- "
                + _(
                    "withdraw consent at any time, where we rely on consent; this does not "
                    "affect what we did with it before"
                ),
            ]
        ),
        "## " + _("Automated decisions"),
        _(
            "We do not make any decision about pupils or their families by automated means "
            "alone, and we do not profile them."
        ),
        _(
            "If you want to receive a copy of the information we hold about your child, or "
            "to use any of these rights, please contact the school office: %(contact)s. We "
            "reply within one month."
        )
        % {"contact": _contact_line(school)},
        "## " + _("Complaints"),
        _(
            "If you are concerned about how we use personal data, please tell us first: "
            "contact our Data Protection Officer. You also have the right to complain to the "
            "Information Commissioner's Office (ICO): %(url)s"
        )
        % {"url": ICO_COMPLAINT_URL},
    ]
    return "\n\n".join(sections) + "\n"


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph", "list" or "table"
    lines: tuple[str, ...]

    @property
    def rows(self) -> list[list[str]]:
        """A table's cells, row by row (the first row is the header)."""
        return [[c.strip() for c in line[2:].split(" | ")] for line in self.lines]


def parse_blocks(body: str) -> list[Block]:
    """Split a notice body into headings, paragraphs and lists (plain text;
    the template escapes it)."""
    blocks: list[Block] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(Block("heading", (lines[0][3:].strip(),)))
        elif all(line.startswith("| ") for line in lines):
            blocks.append(Block("table", tuple(lines)))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", (" ".join(lines),)))
    return blocks
