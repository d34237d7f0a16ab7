"""What every family at a school is asked about, kept in each server process.

The purposes a school asks parents about (``queries.providers_needing_consent``)
and each one's facts as the form shows them (templates/consent/_purpose_facts.html)
are the same for every family at the school: on a consent evening every
parent's every page read them again and rendered them again. Each process
now keeps them per school and language for ``providers.cache.LOCAL_SECONDS``,
beside its copies of the public pages and forgotten with them: every change
by staff that can alter them (a provider saved, its status changed) goes
through ``providers.services``, which calls ``providers.cache.invalidate``,
so the process that made the change forgets its copy at once and the others
within ``LOCAL_SECONDS``, as for the public pages. Nothing is written
anywhere (a parent reading a page writes nothing).

Send does not use this copy: ``services.submit_family_answers`` reads the
purposes afresh inside its transaction, so an answer is always checked
against the questions the school asks at that moment.
"""

from __future__ import annotations

import pickle

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from providers import cache as page_cache
from providers.models import Provider
from pupils.models import School

from .queries import providers_needing_consent

FACTS_TEMPLATE = "consent/_purpose_facts.html"


def _render(school: School) -> bytes:
    providers = list(providers_needing_consent(school))
    facts = {p.pk: render_to_string(FACTS_TEMPLATE, {"provider": p}) for p in providers}
    return pickle.dumps((providers, facts), protocol=pickle.HIGHEST_PROTOCOL)


def school_purposes(school: School) -> list[Provider]:
    """``providers_needing_consent(school)`` in its order, each with
    ``facts_html``: its facts rendered in the active language. A copy of
    its own for each call (unpickled), so a page may change it freely."""
    host, name = f"consent:{school.pk}", f"purposes:{translation.get_language()}"
    body = page_cache.local_get(host, name)
    if body is None:
        body = _render(school)
        page_cache.local_put(host, name, body)
    providers, facts = pickle.loads(body)  # noqa: S301 (this process's own _render)
    for provider in providers:
        provider.__dict__["facts_html"] = mark_safe(facts[provider.pk])  # noqa: S308
    return providers
