from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Pupil data protection"
admin.site.site_title = "Pupil data protection"
admin.site.index_title = "School office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("consent/", include("consent.urls")),
    path("", include("providers.urls")),
]
