"""Schools and staff profiles: who may write them.

A staff profile decides which schools a user sees (``trust_wide`` sees all of
them), so only the superuser writes profiles; a school's DPO may keep the
school's own details up to date but may not create or remove a school."""

from django.urls import reverse

from pupils.models import School, StaffProfile

from ..conftest import staff_client
from ..factories import SchoolFactory, UserFactory


def test_a_dpo_cannot_make_their_own_profile_trust_wide(dpo_client, dpo_user, other_school):
    profile = StaffProfile.objects.get(user=dpo_user)
    url = reverse("admin:pupils_staffprofile_change", args=[profile.pk])

    response = dpo_client.post(
        url, {"user": dpo_user.pk, "school": profile.school_id, "trust_wide": "on"}
    )

    assert response.status_code == 403
    profile.refresh_from_db()
    assert not profile.trust_wide
    assert list(School.objects.visible_to(dpo_user)) == [profile.school]


def test_a_dpo_cannot_add_or_delete_a_school_but_can_edit_their_own(dpo_client, school):
    assert dpo_client.get(reverse("admin:pupils_school_add")).status_code == 403
    delete = reverse("admin:pupils_school_delete", args=[school.pk])
    assert dpo_client.post(delete, {"post": "yes"}).status_code == 403
    assert School.objects.filter(pk=school.pk).exists()
    change = reverse("admin:pupils_school_change", args=[school.pk])
    assert dpo_client.get(change).status_code == 200


def test_the_dpo_cannot_add_or_delete_staff_profiles(dpo_client, dpo_user):
    assert dpo_client.get(reverse("admin:pupils_staffprofile_add")).status_code == 403
    profile = StaffProfile.objects.get(user=dpo_user)
    delete = reverse("admin:pupils_staffprofile_delete", args=[profile.pk])
    assert dpo_client.post(delete, {"post": "yes"}).status_code == 403
    assert StaffProfile.objects.filter(pk=profile.pk).exists()


def test_the_superuser_still_manages_schools_and_profiles(dpo_user):
    root = staff_client(UserFactory(username="root", is_superuser=True, school=SchoolFactory()))
    profile = StaffProfile.objects.get(user=dpo_user)
    assert root.get(reverse("admin:pupils_school_add")).status_code == 200
    assert root.get(reverse("admin:pupils_staffprofile_add")).status_code == 200
    url = reverse("admin:pupils_staffprofile_change", args=[profile.pk])
    assert root.get(url).status_code == 200
