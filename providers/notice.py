"""The default pupil privacy notice, generated from what the application
knows about the school.

It keeps every promise of the school's previous notice (listed, one by one,
in tests/providers/test_notice.py, which checks each) but cites the law in
force: UK GDPR and the Data Protection Act 2018, never the repealed Data
Protection Act 1998 (docs/law.md, "Lawful bases" and "Statutory sharing").

Format (read by ``render_blocks``): blank lines separate paragraphs, a line
starting "## " is a heading, lines starting "- " form a list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from pupils.models import School
from pupils.retention.schedule import notice_lines

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
        "## " + _("Our lawful basis"),
        _(
            "We use pupils' information under the UK General Data Protection Regulation "
            "(UK GDPR) and the Data Protection Act 2018:"
        ),
        "\n".join(
            [
                "- "
                + _(
                    "Article 6(1)(c), legal obligation: where the law requires it, such as the "
                    "school census and passing records to a pupil's next school"
                ),
                "- "
                + _("Article 6(1)(e), public task: to educate pupils and look after their welfare"),
                "- "
                + _(
                    "Article 9(2)(g), substantial public interest, with the conditions in "
                    "Schedule 1 of the Data Protection Act 2018: for ethnicity, special "
                    "educational needs and medical information"
                ),
                "- "
                + _(
                    "Article 6(1)(a), consent: for the cloud services for which we ask "
                    "parents' consent (see below). Consent can be withdrawn at any time."
                ),
            ]
        ),
        _(
            "We will not give information about our pupils to anyone without your consent "
            "unless the law and our policies allow us to do so."
        ),
        "## " + _("Who we share it with"),
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
            "support the education of pupils. This is done in accordance with the UK GDPR, "
            "the Data Protection Act 2018 and our policies, under a written contract with "
            "each provider."
        ),
        _(
            "All providers are risk assessed before we use them and reviewed regularly. The "
            "list of the providers we use, what each receives and where the data is stored "
            "is published on our website: %(url)s"
        )
        % {"url": privacy_page_url(school)},
        _(
            "Parents will be asked to give consent to the use of these services before we "
            "enrol their child, by completing the cloud services consent form, and will be "
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
                "- " + _("withdraw consent at any time, where we rely on consent"),
            ]
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
    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]


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
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", (" ".join(lines),)))
    return blocks
