"""Staff sign in with a password AND a second factor; nothing less opens a page."""

import base64
import re

import pytest
from django.contrib.admin import site
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.models import AuditAction, AuditEvent, StaffSession
from pupils.roles import DPO

from ..conftest import sign_in, staff_client, totp_code
from ..factories import UserFactory

PASSWORD = "correct horse battery"


def admin_pages() -> list[str]:
    """The index, every app index and every model's list and add page."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
    return sorted(set(urls))


def test_no_admin_page_opens_after_the_password_alone(client, office_user, authenticator):
    response = sign_in(client, "office", PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:signin_code"))

    pages = admin_pages()
    assert len(pages) > 2 * len(site._registry)  # a list and an add page for each model
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_a_session_signed_in_without_the_second_factor_is_ended(client, office_user):
    # What a password-reset view that signs the user in (or any code path
    # calling login() directly) would leave behind.
    client.force_login(office_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()


def test_staff_sign_in_with_password_then_authenticator_code(client, office_user, authenticator):
    response = sign_in(client, "office", PASSWORD, totp_code(authenticator))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.actor == office_user
    assert event.school_id == office_user.staff_profile.school_id
    assert "authenticator code" in event.summary


def test_sign_in_goes_back_to_the_page_asked_for(client, office_user, authenticator):
    wanted = reverse("admin:pupils_pupil_changelist")

    response = sign_in(client, "office", PASSWORD, totp_code(authenticator), next=wanted)

    assert response["Location"] == wanted


def test_sign_in_never_sends_staff_to_another_site(client, office_user, authenticator):
    response = sign_in(
        client, "office", PASSWORD, totp_code(authenticator), next="https://evil.example/"
    )

    assert response["Location"] == reverse("admin:index")


def test_a_used_code_cannot_be_replayed(client, office_user, authenticator):
    code = totp_code(authenticator)
    sign_in(client, "office", PASSWORD, code)
    client.post(reverse("admin:logout"))

    response = sign_in(client, "office", PASSWORD, code)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count() == 1
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED).summary.endswith("wrong code")


def test_a_wrong_code_is_refused(client, office_user, authenticator):
    wrong = f"{(int(totp_code(authenticator)) + 1) % 1_000_000:06d}"

    response = sign_in(client, "office", PASSWORD, wrong)

    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_five_wrong_codes_send_staff_back_to_the_password(client, office_user, authenticator):
    sign_in(client, "office", PASSWORD)
    for _ in range(5):
        response = client.post(reverse("admin:signin_code"), {"code": "000000x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:signin_code"))["Location"].startswith(reverse("admin:login"))


def test_a_recovery_code_signs_in_once(client, office_user, authenticator):
    device = StaticDevice.objects.create(user=office_user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")

    assert sign_in(client, "office", PASSWORD, "ABCD 2345").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))

    response = sign_in(client, "office", PASSWORD, "abcd2345")
    assert "That code is not right" in response.content.decode()
    assert not StaticToken.objects.exists()


def code_from_typed_key(page: str) -> str:
    """What an authenticator app shows after the member of staff types the key."""
    secret = re.search(r'<code id="enrol-secret">([A-Z2-7 ]+)</code>', page).group(1)
    key = base64.b32decode(secret.replace(" ", "")).hex()
    return totp_code(TOTPDevice(key=key))


def test_a_member_of_staff_without_a_second_factor_sets_one_up(client, office_user):
    response = sign_in(client, "office", PASSWORD)
    assert response["Location"].startswith(reverse("admin:signin_enrol"))

    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page
    assert not TOTPDevice.objects.exists()  # looking at the page changes nothing
    code = code_from_typed_key(page)
    response = client.post(reverse("admin:signin_enrol"), {"code": code})

    assert response.status_code == 200
    page = response.content.decode()
    tokens = StaticToken.objects.filter(device__user=office_user)
    codes = list(tokens.values_list("token", flat=True))
    assert len(codes) == 10 and all(code in page for code in codes)
    assert "will not be shown again" in page
    device = TOTPDevice.objects.get(user=office_user)
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(device.pk)).exists()

    # The code used to set up cannot be used again to sign in.
    client.post(reverse("admin:logout"))
    assert "That code is not right" in sign_in(client, "office", PASSWORD, code).content.decode()


def test_the_set_up_key_stays_the_same_while_the_page_is_reloaded(client, office_user):
    sign_in(client, "office", PASSWORD)

    first = client.get(reverse("admin:signin_enrol")).content.decode()
    second = client.get(reverse("admin:signin_enrol")).content.decode()

    assert code_from_typed_key(first) == code_from_typed_key(second)


def test_a_wrong_set_up_code_sets_nothing_up(client, office_user):
    sign_in(client, "office", PASSWORD)
    client.get(reverse("admin:signin_enrol"))

    response = client.post(reverse("admin:signin_enrol"), {"code": "123"})

    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_someone_with_only_the_password_cannot_set_up_another_authenticator(
    client, office_user, authenticator
):
    sign_in(client, "office", PASSWORD)

    response = client.get(reverse("admin:signin_enrol"))
    client.post(reverse("admin:signin_enrol"), {"code": "123456"})

    assert response["Location"].startswith(reverse("admin:signin_code"))
    assert list(TOTPDevice.objects.filter(user=office_user)) == [authenticator]
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_set_up_page_needs_the_password_first(client, office_user):
    response = client.get(reverse("admin:signin_enrol"))

    assert response["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.exists()


def test_a_password_reset_does_not_bypass_the_second_factor(client, office_user, authenticator):
    office_user.set_password("a brand new passphrase")
    office_user.save()

    response = sign_in(client, "office", "a brand new passphrase")

    assert response["Location"].startswith(reverse("admin:signin_code"))
    assert client.get(reverse("admin:index")).status_code == 302
    assert TOTPDevice.objects.filter(user=office_user, confirmed=True).exists()


def test_the_dpo_resets_a_lost_second_factor_and_its_sessions_end(office_user, authenticator):
    superuser = UserFactory(username="head", is_superuser=True, role=DPO)
    office = staff_client(office_user)
    changelist = reverse("admin:auth_user_changelist")

    staff_client(superuser).post(
        changelist, {"action": "reset_second_factor", "_selected_action": [office_user.pk]}
    )

    assert not TOTPDevice.objects.filter(user=office_user).exists()
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    assert office.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, actor=superuser).exists()


def test_signing_out_ends_every_session_of_that_member_of_staff(office_user):
    at_desk, at_home = staff_client(office_user), staff_client(office_user)

    at_desk.post(reverse("admin:logout"))

    assert at_home.get(reverse("admin:index")).status_code == 302
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.actor == office_user


def test_changing_ones_password_ends_ones_other_sessions(office_user):
    here, elsewhere = staff_client(office_user), staff_client(office_user)

    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "quite another passphrase",
            "new_password2": "quite another passphrase",
        },
    )

    assert response.status_code == 302
    assert here.get(reverse("admin:index")).status_code == 200
    assert elsewhere.get(reverse("admin:index")).status_code == 302
    assert StaffSession.objects.filter(user_id=office_user.pk).count() == 1


def test_ones_own_password_change_is_on_the_trail_and_keeps_only_this_session(office_user):
    here, elsewhere = staff_client(office_user), staff_client(office_user)
    new = "quite another passphrase"

    response = here.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response["Location"] == reverse("admin:password_change_done")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="auth.user")
    assert event.actor == office_user and event.object_id == str(office_user.pk)
    assert event.fields == ["password"]
    assert new not in f"{event.summary} {event.fields}"
    assert [s.session_key for s in StaffSession.objects.filter(user_id=office_user.pk)] == [
        here.session.session_key
    ]
    assert here.get(reverse("admin:index")).status_code == 200
    assert elsewhere.get(reverse("admin:index")).status_code == 302
    office_user.refresh_from_db()
    assert office_user.check_password(new)


@pytest.mark.parametrize("what", ["deactivate", "set password"])
def test_deactivating_or_setting_a_password_ends_that_accounts_sessions(office_user, what):
    superuser = UserFactory(username="head", is_superuser=True)
    office = staff_client(office_user)
    admin = staff_client(superuser)

    if what == "deactivate":
        response = admin.post(
            reverse("admin:auth_user_change", args=[office_user.pk]),
            {
                "username": "office",
                "email": office_user.email,
                "is_staff": "on",
                "date_joined_0": "2026-09-01",
                "date_joined_1": "08:00:00",
            },
        )
    else:
        new = "reset by the head teacher"
        response = admin.post(
            reverse("admin:auth_user_password_change", args=[office_user.pk]),
            {"usable_password": "true", "password1": new, "password2": new},
        )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    assert office.get(reverse("admin:index")).status_code == 302
    assert admin.get(reverse("admin:index")).status_code == 200


def test_authenticator_secrets_and_recovery_codes_are_not_in_the_admin():
    assert TOTPDevice not in site._registry
    assert StaticDevice not in site._registry


def test_only_the_first_of_two_set_ups_at_once_succeeds(client, office_user):
    from django.test import Client

    other = Client()
    sign_in(client, "office", PASSWORD)
    sign_in(other, "office", PASSWORD)
    mine = client.get(reverse("admin:signin_enrol")).content.decode()
    theirs = other.get(reverse("admin:signin_enrol")).content.decode()

    first = client.post(reverse("admin:signin_enrol"), {"code": code_from_typed_key(mine)})
    assert "recovery-codes" in first.content.decode()
    response = other.post(reverse("admin:signin_enrol"), {"code": code_from_typed_key(theirs)})

    assert response["Location"].startswith(reverse("admin:signin_code"))
    assert TOTPDevice.objects.filter(user=office_user).count() == 1
    assert other.get(reverse("admin:index")).status_code == 302
