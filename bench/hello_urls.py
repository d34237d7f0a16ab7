from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


# The paths bench_privacy.py loads, so both servers see the same requests.
urlpatterns = [path("privacy", hello), path("privacy/providers.json", hello)]
