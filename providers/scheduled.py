"""Scheduled work of the providers app (run by ``manage.py run_scheduled``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pupils.models import School
from pupils.scheduled import register, remind_dpo_once_today

from .models import Provider


@register("provider_review_reminders")
def remind_overdue_reviews(now: datetime.datetime) -> str:
    """Once a day, tell each school's DPO which cloud services' reviews are overdue."""
    today = timezone.localdate(now)
    overdue = Provider.objects.review_overdue(today).select_related("school").order_by("pk")
    by_school: dict[int, list[Provider]] = {}
    for provider in overdue:
        by_school.setdefault(provider.school_id, []).append(provider)
    sent = 0
    for school in School.objects.filter(pk__in=by_school):
        providers = by_school[school.pk]
        url = settings.PUBLIC_BASE_URL + reverse("admin:providers_provider_changelist")
        lines = "\n".join(f"- {p}" for p in providers)
        sent += remind_dpo_once_today(
            school=school,
            subject=f"{len(providers)} cloud service review(s) overdue",
            body=(
                "These cloud services are past their review date:\n\n"
                f"{lines}\n\nReview them in the staff site: {url}\n"
            ),
            now=now,
        )
    return f"{sent} reminder(s) queued"
