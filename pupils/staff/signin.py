"""Staff sign-in: password, then a second factor (or, once, setting one up).

The password step does NOT sign anyone in: it only remembers, for a few
minutes, whose password was right. ``auth.login`` is called when the second
factor is verified too, so a password alone never gives a signed-in session.
Every sign-in, failure and sign-out goes to the audit trail with the
username only (never what was typed as a password, never the address).
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlencode

import django_otp
from django import forms
from django.contrib import auth
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.middleware import is_verified as otp_is_verified

from .. import audit
from ..models import AuditAction
from . import mfa, throttle
from .sessions import end_sessions, stamp_signed_in
from .trail import record_staff_event

PENDING = "_signin_pending"
PENDING_SECONDS = 10 * 60  # time to install an app when setting up
MAX_CODE_ATTEMPTS = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's password form, refusing (without checking the password)
    while this username or address must wait."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = throttle.seconds_to_wait(self.request, username)
        if wait:
            raise ValidationError(_wait_message(wait), code="throttled")
        return super().clean()


# --- Helpers ----------------------------------------------------------------


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    return user if user is not None and user.is_staff else None


def _record(user, action: AuditAction, summary: str) -> None:
    record_staff_event(user, action, summary)


def _record_failure(request, *, username: str, why: str, throttled: bool = False) -> None:
    # An attempt refused while waiting is logged but not counted: counting it
    # would let anyone keep a member of staff waiting for ever.
    if not throttled:
        throttle.record_failure(request, username)
    summary = _("Failed sign-in: %(why)s") % {"why": why}
    user = get_user_model()._default_manager.filter(username__iexact=username).first()
    if user is None:
        # An unknown "username" may be a mistyped password: never record it.
        audit.record(actor="unknown username", action=AuditAction.SIGN_IN_FAILED, summary=summary)
    else:
        _record(user, AuditAction.SIGN_IN_FAILED, summary)


def _too_many_tries(request) -> bool:
    """Count a wrong code; after MAX_CODE_ATTEMPTS the password is asked again."""
    tries = request.session.get(PENDING + "_tries", 0) + 1
    request.session[PENDING + "_tries"] = tries
    if tries < MAX_CODE_ATTEMPTS:
        return False
    request.session.pop(PENDING, None)
    return True


def _wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _complete_sign_in(request, user, device, *, how: str):
    backend = request.session[PENDING]["backend"]
    next_url = _next_url(request)
    auth.login(request, user, backend=backend)  # a new session key
    django_otp.login(request, device)
    # As OTPMiddleware would have it on the next request.
    request.user.is_verified = functools.partial(otp_is_verified, request.user)
    stamp_signed_in(request.session)
    request.session.pop(PENDING, None)
    throttle.record_success(request, user.get_username())
    _record(user, AuditAction.SIGN_IN, _("Signed in with %(how)s") % {"how": how})
    return next_url


def _context(site, request, **extra):
    return {**site.each_context(request), "has_permission": False, **extra}


# --- Views ------------------------------------------------------------------


def password_step(request, *, site):
    next_url = _next_url(request)
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(next_url)
    form = StaffAuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "at": time.time(), "backend": user.backend}
            request.session[PENDING + "_tries"] = 0
            step = "admin:signin_code" if mfa.has_second_factor(user) else "admin:signin_enrol"
            return HttpResponseRedirect(_with_next(step, next_url))
        throttled = form.has_error(NON_FIELD_ERRORS, "throttled")
        why = _("too many attempts") if throttled else _("wrong username or password")
        username = request.POST.get("username", "")[:150]
        _record_failure(request, username=username, why=why, throttled=throttled)
    context = _context(
        site,
        request,
        form=form,
        title=_("Sign in"),
        app_path=request.get_full_path(),
        next=next_url,
    )
    return render(request, "admin/login.html", context)


def code_step(request, *, site):
    user = _pending_user(request)
    next_url = _next_url(request)
    if user is None:
        return HttpResponseRedirect(_with_next("admin:login", next_url))
    if not mfa.has_second_factor(user):
        return HttpResponseRedirect(_with_next("admin:signin_enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttle.seconds_to_wait(request, user.get_username())
        device = (
            None if wait else mfa.verify_second_factor(user=user, token=form.cleaned_data["code"])
        )
        if device is not None:
            how = (
                _("a recovery code")
                if device.name == mfa.RECOVERY_DEVICE_NAME
                else _("an authenticator code")
            )
            response = HttpResponseRedirect(_complete_sign_in(request, user, device, how=how))
            throttle.remember_browser(response, user.get_username())
            return response
        why = _("too many attempts") if wait else _("wrong code")
        _record_failure(request, username=user.get_username(), why=why, throttled=bool(wait))
        if _too_many_tries(request):
            return HttpResponseRedirect(_with_next("admin:login", next_url))
        form.add_error("code", _wait_message(wait) if wait else _("That code is not right."))
    context = _context(site, request, form=form, title=_("Enter your code"), next=next_url)
    return render(request, "pupils/signin/code.html", context)


def enrol_step(request, *, site):
    user = _pending_user(request)
    next_url = _next_url(request)
    if user is None:
        return HttpResponseRedirect(_with_next("admin:login", next_url))
    pending = request.session[PENDING]
    if "key" not in pending:
        # Only in this (signed-in-with-password) session until confirmed.
        pending["key"] = mfa.new_secret()
        request.session.modified = True
    try:
        device = mfa.enrolment_device(user=user, key=pending["key"])
    except mfa.EnrolmentClosed:
        return HttpResponseRedirect(_with_next("admin:signin_code", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = None
        wait = throttle.seconds_to_wait(request, user.get_username())
        if not wait:
            code = form.cleaned_data["code"]
            try:
                confirmed = mfa.confirm_enrolment(user=user, key=pending["key"], token=code)
            except mfa.EnrolmentClosed:  # set up meanwhile from another browser
                return HttpResponseRedirect(_with_next("admin:signin_code", next_url))
        if confirmed is not None:
            device, codes = confirmed
            next_url = _complete_sign_in(request, user, device, how=_("a new authenticator"))
            # Shown in this response only; never stored where they can be shown again.
            context = _context(site, request, codes=codes, next=next_url, title=_("Recovery codes"))
            response = render(request, "pupils/signin/recovery_codes.html", context)
            throttle.remember_browser(response, user.get_username())
            return response
        why = _("too many attempts") if wait else _("wrong set-up code")
        _record_failure(request, username=user.get_username(), why=why, throttled=bool(wait))
        if _too_many_tries(request):
            return HttpResponseRedirect(_with_next("admin:login", next_url))
        message = _("That code is not right. Check the time on your phone.")
        form.add_error("code", _wait_message(wait) if wait else message)
    context = _context(
        site,
        request,
        form=form,
        title=_("Set up your authenticator app"),
        qr=mfa.qr_data_uri(device),
        secret=mfa.secret_for_display(device),
        next=next_url,
    )
    return render(request, "pupils/signin/enrol.html", context)


def sign_out(request) -> None:
    """Record the sign-out and end every session of this member of staff."""
    if request.user.is_authenticated:
        _record(request.user, AuditAction.SIGN_OUT, _("Signed out"))
        end_sessions(user=request.user)
