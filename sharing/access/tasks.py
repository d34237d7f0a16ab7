"""Producing the response to an access request, as a background job run by
``manage.py worker`` (the staff page never waits on WeasyPrint).

The job renders each pupil's PDF in turn (``response.render_response``, in
the warm PDF worker) and keeps it with its production record
(``response.store_response_file``); its progress page then links to the
files. It runs at least once: a retry skips the pupils already done. Every
rule of producing applies in the worker too: the member of staff must still
be allowed to produce, and a final response is refused while the
requester's identity is unchecked. Producing never logs a disclosure.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pupils.jobs import JobError, report_progress, run_job, start_job
from pupils.models import Job, School
from sharing.actor import Actor

from .files import ResponseFile
from .models import AccessRequest
from .pdf import PdfRenderError
from .response import check_may_produce, render_response, store_response_file

PRODUCE = "sharing.produce_access_response"
PRODUCE_JOB = "sar_response"
TASK_PATH = "sharing.access.tasks.produce_response_job"


def start_producing(*, actor: Actor, request: AccessRequest, draft: bool) -> Job:
    """Check that the response may be produced now, then queue the job.
    Raises ValidationError (nothing queued) when it may not."""
    pupils = list(request.pupils.order_by("id"))
    for pupil in pupils:
        check_may_produce(request=request, pupil=pupil, draft=draft)
    title = (
        _("Produce a draft of the response to access request %(n)d")
        if draft
        else _("Produce the response to access request %(n)d")
    ) % {"n": request.pk}
    return start_job(
        actor=actor,
        school=request.school,
        kind=PRODUCE_JOB,
        title=title,
        task_path=TASK_PATH,
        arguments={"request_id": request.pk, "draft": draft},
        total=len(pupils),
    )


@task()
def produce_response_job(*, job_id: int) -> str:
    return run_job(job_id, _produce)


def _produce(job: Job) -> str:
    user = job.created_by
    if user is None or not user.is_active or not user.has_perm(PRODUCE):
        raise JobError(
            _("The member of staff who started this job can no longer produce responses.")
        )
    request = AccessRequest.objects.filter(
        pk=job.arguments["request_id"], school__in=School.objects.visible_to(user)
    ).first()
    if request is None:
        raise JobError(_("The access request is no longer there."))
    draft = bool(job.arguments["draft"])
    pupils = list(request.pupils.order_by("id"))
    done = set(ResponseFile.objects.filter(job=job).values_list("pupil_id", flat=True))
    report_progress(job, done=len(done & {p.pk for p in pupils}), total=len(pupils))
    for pupil in pupils:
        if pupil.pk in done:
            continue  # produced by an earlier run of this job
        try:
            rendered = render_response(request=request, pupil=pupil, draft=draft)
            store_response_file(
                actor=user, request=request, pupil=pupil, rendered=rendered, job=job
            )
        except ValidationError as exc:
            raise JobError(" ".join(exc.messages)) from exc
        except PdfRenderError as exc:
            raise JobError(str(exc)) from exc
        report_progress(job, done=job.done + 1)
    n = len(pupils)
    if draft:
        return ngettext(
            "%(n)d draft produced, marked not for sending.",
            "%(n)d drafts produced, marked not for sending.",
            n,
        ) % {"n": n}
    return ngettext(
        "%(n)d response produced. Download it, send it, then record that it was sent.",
        "%(n)d responses produced. Download them, send them, then record that they were sent.",
        n,
    ) % {"n": n}


def result_links(job: Job, user) -> list[tuple[str, str]]:
    """The progress page's links to the files, for staff who may have them."""
    if not user.has_perm(PRODUCE):
        return []
    files = (
        ResponseFile.objects.filter(job=job, school__in=School.objects.visible_to(user))
        .select_related("pupil")
        .defer("content")
    )
    links = []
    for file in files:
        label = _("%(kind)s for %(pupil)s (PDF, %(kb)d KB)") % {
            "kind": _("Draft, not for sending") if file.draft else _("Response"),
            "pupil": file.pupil,
            "kb": max(1, file.size // 1024),
        }
        url = reverse("admin:sharing_accessrequest_file", args=[file.request_id, file.pk])
        links.append((label, url))
    request_id = job.arguments["request_id"]
    if links and not job.arguments["draft"]:
        url = reverse("admin:sharing_accessrequest_sent", args=[request_id])
        links.append((_("Then: record that the response was sent"), url))
    elif links:
        url = reverse("admin:sharing_accessrequest_change", args=[request_id])
        links.append((_("Back to the request"), url))
    return links
