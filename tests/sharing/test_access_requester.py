"""Who asked: a linked contact sees their own details and no one else's; a
requester who is not a linked contact is flagged before anything is produced."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sharing.access import services
from sharing.access.record import gather_access_record
from sharing.models import AccessRequest

from ..factories import AccessRequestFactory, ContactFactory, PupilContactFactory, PupilFactory

WARNING = "The requester is not a linked contact."


@pytest.fixture
def parents(school):
    pupil = PupilFactory(school=school)
    mother = PupilContactFactory(pupil=pupil, relationship="PAM").contact
    father = PupilContactFactory(pupil=pupil, relationship="PAF", priority=2).contact
    return pupil, mother, father


def contact_names(pupil, request) -> list[str]:
    record = gather_access_record(pupil.pk, request=request)
    return [row[3] for row in next(s for s in record.sections if s.key == "contacts").rows]


def test_a_linked_requester_sees_their_own_details_and_not_the_other_parents(school, parents):
    pupil, mother, father = parents
    request = AccessRequestFactory(school=school, pupils=[pupil], requester_contact=mother)
    assert contact_names(pupil, request) == [mother.full_name, "[redacted: third party]"]
    assert services.requester_warning(request) == ""


def test_a_requester_who_is_not_a_linked_contact_sees_no_contacts_details(school, parents):
    pupil, mother, father = parents
    request = AccessRequestFactory(school=school, pupils=[pupil], requester_name="A Stranger")
    assert contact_names(pupil, request) == ["[redacted: third party]"] * 2
    assert "not a contact the school holds" in services.requester_warning(request)


def test_the_request_and_handle_pages_say_so_before_anything_is_produced(
    dpo_client, school, parents
):
    pupil, mother, _father = parents
    unlinked = AccessRequestFactory(school=school, pupils=[pupil])
    linked = AccessRequestFactory(school=school, pupils=[pupil], requester_contact=mother)
    for name in ("admin:sharing_accessrequest_change", "admin:sharing_accessrequest_handle"):
        assert WARNING in dpo_client.get(reverse(name, args=[unlinked.pk])).content.decode()
        assert WARNING not in dpo_client.get(reverse(name, args=[linked.pk])).content.decode()


def test_a_contact_of_another_family_cannot_be_named_as_the_requester(dpo_user, school, parents):
    pupil, _mother, _father = parents
    stranger = ContactFactory(school=school)
    with pytest.raises(ValidationError, match="not linked to any pupil of this request"):
        services.open_access_request(
            actor=dpo_user,
            school=school,
            pupils=[pupil],
            requester_name="Someone",
            requester_relationship="parent",
            channel="email",
            received_at=datetime.datetime(2026, 9, 3, 9, 0, tzinfo=datetime.UTC),
            requester_contact=stranger,
        )
    assert not AccessRequest.objects.exists()
