from django.contrib import admin
from django.urls import include, path

from config.language import choose_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("consent/", include("consent.urls")),
    path("language/<str:code>/", choose_language, name="choose_language"),
    path("", include("providers.urls")),
]
