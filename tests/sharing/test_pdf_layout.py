"""How the response PDF reads: "[redacted]" is never broken inside the
word, however narrow its column, and every table keeps its columns."""

import re

from pupils.models import PupilContact
from sharing.access import services as access
from sharing.access.pdf import render_html
from sharing.access.record import gather_access_record
from sharing.access.response import produce_access_response
from sharing.models import IdentityCheck, RedactionGround, RedactionOutcome

from ..factories import AccessRequestFactory, ContactFactory, PupilContactFactory, PupilFactory
from .test_response_pdf import pdf_text

LONG = "Flat 12, The Very Long Named Residential Building, " * 3


def crowded_contacts(school, dpo_user):
    """A pupil whose contacts table is crowded: long details disclosed for
    the requester, the other contacts redacted, one entry redacted whole."""
    pupil = PupilFactory(school=school)
    mother = ContactFactory(
        school=school,
        forename="Alexandra-Josephine",
        surname="Montgomery-Worthington",
        email="alexandra.josephine.montgomery-worthington@example.org",
        address_line1=LONG,
    )
    PupilContactFactory(pupil=pupil, contact=mother, relationship="PAM", priority=1)
    for n in range(2):
        PupilContactFactory(pupil=pupil, contact=ContactFactory(school=school), priority=n + 2)
    request = AccessRequestFactory(
        school=school, pupils=[pupil], requester_contact=mother, identity_checked=True
    )
    whole = PupilContact.objects.filter(pupil=pupil).order_by("priority").last()
    access.record_redaction(
        actor=dpo_user,
        request=request,
        record=whole,
        outcome=RedactionOutcome.REDACT,
        ground=RedactionGround.THIRD_PARTY,
        reason="Court order",
    )
    return pupil, request


def test_redacted_is_never_broken_inside_the_word(school, dpo_user, tmp_path):
    pupil, request = crowded_contacts(school, dpo_user)
    assert request.identity_check == IdentityCheck.KNOWN
    text = pdf_text(produce_access_response(actor=dpo_user, request=request, pupil=pupil), tmp_path)
    marks = re.findall(r"\[\S*", text.split("Parents, carers and contacts")[-1])
    redacted = [m for m in marks if m.startswith("[r")]
    assert redacted, "the contacts table shows redacted entries"
    assert set(redacted) <= {"[redacted]", "[redacted:"}, redacted


def test_a_redacted_record_is_one_cell_across_its_row_and_tables_have_their_widths(
    school, dpo_user
):
    pupil, request = crowded_contacts(school, dpo_user)
    html = render_html(gather_access_record(pupil.pk, request=request))
    assert '<td colspan="6" class="redacted">[redacted]</td>' in html
    assert '<td class="redacted">[redacted: third party]</td>' in html
    contacts = html.split('id="section-contacts"')[1].split("</table>")[0]
    assert contacts.count('<col style="width:') == 6
