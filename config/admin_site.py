"""The staff site: Django's admin, reachable only with a second factor.

Sign-in is password then code (``pupils.staff.signin``); a member of staff with no
second factor yet sets one up once. Signing out or changing one's password
ends every session of that member of staff on the server.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from pupils.models import StaffProfile
from pupils.staff import accounts, signin

from . import charts

#: The order of the apps on the home page and in the side menu: the record
#: first, then what is asked of families, what leaves the school, suppliers.
APP_ORDER = ("pupils", "consent", "sharing", "providers", "auth", "django_otp", "otp_totp")


class StaffAdminSite(admin.AdminSite):
    site_header = _("Pupil data protection")
    site_title = _("Pupil data protection")
    index_title = _("What needs doing")
    site_url = "/privacy"  # "View site": the public privacy page
    index_template = "admin/index.html"

    def each_context(self, request):
        context = super().each_context(request)
        school = self._school_name(request)
        if school:
            # The school's name in the header and the tab, not the product's.
            context["site_header"] = school
            context["site_title"] = school
        return context

    @staticmethod
    def _school_name(request) -> str:
        """The signed-in member of staff's school (loaded with their staff
        profile by ``has_permission``, before the page's own queries)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        profile = _load_profile_with_school(user)
        if profile is None or profile.trust_wide or profile.school is None:
            return ""
        return profile.school.name

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda a: (rank.get(a["app_label"], len(rank)), a["name"]))

    def index(self, request, extra_context=None):
        """The home page: what needs doing, most urgent first, then charts."""
        # Imported here: the dashboard reads every app, whose admin modules
        # need this site to exist first.
        from . import dashboard

        ctx = dashboard.context_for(request.user)
        drawn = []
        for series in dashboard.charts(ctx):
            keys = [k for k, _label in series.keys]
            drawn.append(
                {
                    "series": series,
                    "drawing": charts.draw(series.rows, keys)
                    if series.grid_columns is None
                    else None,
                    "grid": charts.grid(series.rows, series.grid_columns)
                    if series.grid_columns is not None
                    else None,
                    # (label, values, total); a group heading has values None.
                    "table": [
                        (label, None, None)
                        if values is None
                        else (label, [values.get(k, 0) for k in keys], sum(values.values()))
                        for label, values in series.rows
                    ],
                }
            )
        extra = {"todos": dashboard.todos(ctx), "charts": drawn, **(extra_context or {})}
        return super().index(request, extra)

    def has_permission(self, request):
        user = request.user
        is_verified = getattr(user, "is_verified", None)  # from django_otp's middleware
        allowed = user.is_active and user.is_staff and is_verified is not None and is_verified()
        if allowed:
            _load_profile_with_school(user)
        return allowed

    def get_urls(self):
        def sign_in_view(view):
            def wrapped(request):
                request.current_app = self.name
                return view(request, site=self)

            # login_not_required: for LoginRequiredMiddleware, if ever used
            return never_cache(csrf_protect(login_not_required(wrapped)))

        return [
            path("login/code/", sign_in_view(signin.code_step), name="signin_code"),
            path("login/set-up/", sign_in_view(signin.enrol_step), name="signin_enrol"),
            *super().get_urls(),
        ]

    def login(self, request, extra_context=None):
        request.current_app = self.name
        return never_cache(csrf_protect(signin.password_step))(request, site=self)

    def logout(self, request, extra_context=None):
        if request.method == "POST":
            signin.sign_out(request)
        return super().logout(request, extra_context)

    def password_change(self, request, extra_context=None):
        # AdminSite.password_change, with the view below in place of Django's.
        request.current_app = self.name
        return OwnPasswordChangeView.as_view(
            form_class=self.password_change_form or AdminPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)


def _load_profile_with_school(user) -> StaffProfile | None:
    """The user's staff profile and school in one query, cached on the user:
    every scoped page reads the profile anyway (``School.objects.visible_to``),
    so the school's name in the header costs no query of its own."""
    if "staff_profile" in user._state.fields_cache:
        return user._state.fields_cache["staff_profile"]
    profile = StaffProfile.objects.select_related("school").filter(user=user).first()
    if profile is not None:
        user.staff_profile = profile  # cached on the user for the rest of the request
    return profile


class OwnPasswordChangeView(PasswordChangeView):
    """Your own password change, saved by ``accounts.change_own_password``:
    every other session of yours ends, and the trail records it."""

    def form_valid(self, form):
        accounts.change_own_password(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            keep_session=self.request.session.session_key,
        )
        # As Django's view does: this session stays signed in.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())
