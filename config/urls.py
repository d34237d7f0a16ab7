from django.contrib import admin
from django.urls import include, path

from config.language import choose_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("consent/", include("consent.urls")),
    path("language/<str:code>/", choose_language, name="choose_language"),
    path("", include("sharing.urls")),
    path("", include("providers.urls")),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
