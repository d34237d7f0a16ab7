from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("privacy", views.privacy, name="privacy"),
    path("privacy/print", views.privacy_print, name="privacy_print"),
    path("privacy/notice/<int:version>", views.notice_version, name="notice_version"),
    path("privacy/policy", views.policy_document, name="policy"),
    path("privacy/policy/<int:version>", views.policy_version, name="policy_version"),
    path("privacy/providers.json", views.providers_json, name="providers_json"),
]
