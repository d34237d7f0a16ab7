"""The project's URLs plus ``/bench/one-row/``: a minimal view that validates
a one-field form and inserts one row, the ceiling a family's request is
compared with in bench_consent.py (``evening``)."""

from django import forms
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from pupils.models import EmailKind, OutboxMessage


class OneRowForm(forms.Form):
    to = forms.EmailField()


@csrf_exempt
def one_row(request):
    form = OneRowForm(request.POST)
    if not form.is_valid():
        return HttpResponse("bad", status=400, content_type="text/plain")
    OutboxMessage.objects.create(
        kind=EmailKind.DPO_NOTICE, to=form.cleaned_data["to"], subject="bench", body=""
    )
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/one-row/", one_row), path("", include("config.urls"))]
