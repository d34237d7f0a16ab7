"""The staff site's user admin: deactivating an account, setting its password
or resetting its second factor go through ``pupils.staff.accounts``, which
ends the account's sessions and writes the trail. Imported by pupils.admin
(which Django's admin autodiscovery loads)."""

from contextvars import ContextVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accounts

_password_setter: ContextVar[tuple] = ContextVar("password_setter")


class StaffPasswordForm(AdminPasswordChangeForm):
    """Django's set-password form, saving through ``accounts.set_password``
    for the administrator whose request this is."""

    def save(self, commit=True):
        actor, keep_session = _password_setter.get()
        usable = self.cleaned_data["set_usable_password"]
        accounts.set_password(
            actor=actor,
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
            keep_session=keep_session,
        )
        return self.user


class StaffUserAdmin(UserAdmin):
    """Django's user admin, where deactivating an account, setting its
    password or resetting its second factor ends its sessions at once
    (``pupils.staff.accounts``)."""

    actions = ["reset_second_factor"]
    change_password_form = StaffPasswordForm

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data and not obj.is_active:
                accounts.deactivate_staff(actor=request.user, user=obj)

    def user_change_password(self, request, id, form_url=""):
        # Django's view builds the form itself: the actor reaches
        # StaffPasswordForm.save through a context variable (per request).
        user = self.get_object(request, unquote(id))
        own = user is not None and user.pk == request.user.pk
        keep = request.session.session_key if own else None
        token = _password_setter.set((request.user, keep))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_setter.reset(token)

    @admin.action(description=_("Reset the second factor (lost phone)"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            accounts.reset_second_factor(actor=request.user, user=user)
        self.message_user(
            request,
            _("The second factor was reset: they set up a new one at their next sign-in."),
        )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), StaffUserAdmin)

# Authenticator secrets and recovery codes are never shown in the admin, not
# even to a superuser: a lost phone is dealt with by "Reset the second factor".
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
