"""Staff-account changes go through pupils.staff.accounts, whoever calls
them: each ends the account's sessions and leaves one trail entry naming the
field, never its value."""

import getpass
import io

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.management.commands.changepassword import Command as ChangePassword
from pupils.models import AuditAction, AuditEvent, StaffSession
from pupils.staff import accounts

from ..conftest import staff_client
from ..factories import UserFactory


@pytest.fixture
def head(db):
    return UserFactory(username="head", is_superuser=True)


def trail_of(user):
    return list(
        AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(user.pk)).values_list(
            "actor_label", "fields"
        )
    )


def test_deactivating_a_member_of_staff_ends_their_sessions(office_user, head):
    staff_client(office_user)

    accounts.deactivate_staff(actor=head, user=office_user)

    office_user.refresh_from_db()
    assert not office_user.is_active
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    assert trail_of(office_user) == [("head", ["is_active"])]


def test_setting_a_password_ends_every_session_but_the_one_kept(office_user, head):
    kept = staff_client(office_user).session.session_key
    staff_client(office_user)

    accounts.set_password(actor=head, user=office_user, password="a new one", keep_session=kept)

    office_user.refresh_from_db()
    assert office_user.check_password("a new one")
    keys = StaffSession.objects.filter(user_id=office_user.pk).values_list("session_key", flat=True)
    assert list(keys) == [kept]
    assert trail_of(office_user) == [("head", ["password"])]
    assert "a new one" not in str(AuditEvent.objects.values_list("summary", flat=True))


def test_disabling_password_sign_in_is_a_password_change_too(office_user, head):
    accounts.set_password(actor=head, user=office_user, password=None)

    office_user.refresh_from_db()
    assert not office_user.has_usable_password()
    assert trail_of(office_user) == [("head", ["password"])]


def test_resetting_the_second_factor_removes_it_and_ends_the_sessions(
    office_user, authenticator, head
):
    staff_client(office_user)

    accounts.reset_second_factor(actor=head, user=office_user)

    assert not TOTPDevice.objects.filter(user=office_user).exists()
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    assert trail_of(office_user) == [("head", [])]


# --- manage.py changepassword ------------------------------------------------------------

NEW_PASSWORD = "Plum tree 47 harbour"


def run_changepassword(monkeypatch, username, *answers):
    """Django's changepassword, overridden in pupils, answering its prompts."""
    replies = iter(answers)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(replies))
    return call_command(ChangePassword(), username, stdout=io.StringIO(), stderr=io.StringIO())


def test_changepassword_sets_it_through_the_service(office_user, monkeypatch):
    staff_client(office_user)
    staff_client(office_user)

    run_changepassword(monkeypatch, office_user.username, NEW_PASSWORD, NEW_PASSWORD)

    office_user.refresh_from_db()
    assert office_user.check_password(NEW_PASSWORD)
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    actor = f"manage.py changepassword ({getpass.getuser()})"
    assert trail_of(office_user) == [(actor, ["password"])]
    assert NEW_PASSWORD not in str(AuditEvent.objects.values_list("summary", flat=True))


def test_changepassword_gives_up_after_three_refusals_and_changes_nothing(office_user, monkeypatch):
    staff_client(office_user)
    answers = ["one", "two"] + ["short", "short"] + [NEW_PASSWORD, "another"]

    with pytest.raises(CommandError, match="after 3 attempts"):
        run_changepassword(monkeypatch, office_user.username, *answers)

    office_user.refresh_from_db()
    assert not office_user.check_password(NEW_PASSWORD)
    assert StaffSession.objects.filter(user_id=office_user.pk).exists()
    assert trail_of(office_user) == []


def test_manage_py_changepassword_is_the_pupils_command():
    command = load_command_class(get_commands()["changepassword"], "changepassword")
    assert isinstance(command, ChangePassword)
