from django.contrib import admin
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


# The paths bench_privacy.py loads, so both servers see the same requests;
# the staff site too, whose prefix the language middleware looks up.
urlpatterns = [
    path("privacy", hello),
    path("privacy/providers.json", hello),
    path("admin/", admin.site.urls),
]
