from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("consent/", include("consent.urls")),
    path("", include("sharing.urls")),
    path("", include("providers.urls")),
]
