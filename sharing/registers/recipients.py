"""The organisations in the disclosure log, for the privacy notice's
recipients (``providers.recipients``, registered from ``SharingConfig.ready``).

Organisations only: a requester (a person, under the right of access) is
never named, nor another school a leaver moved to (the notice's "the
pupil's next school" covers it, and a list of schools would point at the
families who moved).
"""

from __future__ import annotations

from pupils.models import School
from sharing.disclosures.models import Disclosure, LegalGateway, RecipientType

NAMED_TYPES = (RecipientType.LA, RecipientType.DFE, RecipientType.ORGANISATION)


def disclosure_log_recipients(school: School) -> list[tuple[str, str]]:
    """(organisation, the legal gateway it was shared under) for each
    organisation the school has disclosed to (one query)."""
    labels = dict(LegalGateway.choices)
    pairs = (
        Disclosure.objects.filter(school=school, recipient_type__in=NAMED_TYPES)
        .exclude(recipient_name="")
        .values_list("recipient_name", "gateway")
        .distinct()
        .order_by("recipient_name", "gateway")
    )
    return [(name, str(labels.get(gateway, gateway))) for name, gateway in pairs]
