"""The public pages of sharing: families' rights requests and complaints,
under /privacy (the privacy notice's own pages are providers')."""

from django.urls import path

from sharing.rights import public_views

app_name = "sharing"

urlpatterns = [
    path("privacy/request", public_views.request_form, name="request"),
    path("privacy/request/sent", public_views.request_sent, name="request_sent"),
    path(
        "privacy/request/confirm/<str:token>",
        public_views.request_confirm,
        name="request_confirm",
    ),
    path("privacy/complaint", public_views.complaint_form, name="complaint"),
    path("privacy/complaint/sent", public_views.complaint_sent, name="complaint_sent"),
]
