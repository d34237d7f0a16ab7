"""The systems searched for a request: recorded on the handle page, printed
in the covering letter, whose wording says what the response covers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sharing.access import services
from sharing.access.response import produce_access_response
from sharing.models import SystemSearch

from ..factories import AccessRequestFactory, PupilFactory
from .test_response_pdf import pdf_text


@pytest.fixture
def request_(school):
    pupil = PupilFactory(school=school, legal_forename="Wilhelmina")
    return AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)


def test_the_letter_lists_every_system_searched_with_who_and_when(request_, dpo_user, tmp_path):
    services.record_system_searched(
        actor=dpo_user,
        request=request_,
        system="email",
        detail="class teacher's and head's mailboxes",
        searched_by="Ms Priya Office",
        searched_on=datetime.date(2026, 9, 8),
    )
    services.record_system_searched(
        actor=dpo_user,
        request=request_,
        system="safeguarding",
        searched_by="Designated safeguarding lead",
        searched_on=datetime.date(2026, 9, 9),
    )
    pupil = request_.pupils.get()
    text = pdf_text(
        produce_access_response(actor=dpo_user, request=request_, pupil=pupil), tmp_path
    )
    letter = text.split("Personal details")[0]
    assert "The school's pupil records system (this record): searched on" in letter
    assert (
        "E-mail (class teacher's and head's mailboxes): searched by Ms Priya Office "
        "on 8 September 2026" in letter
    )
    assert "searched by Designated safeguarding lead on 9 September 2026" in letter
    assert "does not cover places not listed here" in letter
    assert "We searched only the pupil records system" not in letter


def test_a_letter_with_no_other_search_says_it_covers_the_records_system_only(
    request_, dpo_user, tmp_path
):
    pupil = request_.pupils.get()
    text = pdf_text(
        produce_access_response(actor=dpo_user, request=request_, pupil=pupil), tmp_path
    )
    assert "We searched only the pupil records system" in text
    assert "this response does not cover those" in text


def test_the_dpo_adds_a_system_searched_on_the_handle_page(request_, dpo_client):
    response = dpo_client.post(
        reverse("admin:sharing_accessrequest_handle", args=[request_.pk]),
        {
            "search_system": "paper",
            "search_by": "School business manager",
            "search_on": "2026-09-10",
        },
    )
    assert response.status_code == 302
    search = SystemSearch.objects.get()
    assert (search.system, search.searched_by) == ("paper", "School business manager")
    assert search.searched_on == datetime.date(2026, 9, 10)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"searched_by": " "}, "Say who searched it"),
        ({"system": "other"}, "Say which system"),
        ({"searched_on": datetime.date(2026, 9, 1)}, "between the request's receipt and today"),
        ({"searched_on": timezone.localdate() + datetime.timedelta(days=1)}, "and today"),
    ],
)
def test_a_search_without_who_which_or_a_sensible_date_is_refused(
    request_, dpo_user, changes, message
):
    data = {"system": "email", "searched_by": "Ms Office", "searched_on": request_.received_on}
    with pytest.raises(ValidationError, match=message):
        services.record_system_searched(actor=dpo_user, request=request_, **{**data, **changes})
    assert not SystemSearch.objects.exists()
