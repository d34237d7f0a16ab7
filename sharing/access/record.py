"""The record of one pupil for an access response: the sections, and what
was withheld or redacted and why (``gather_access_record``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pupils.models import (
    Pupil,
    School,
)
from sharing.dates import long_date

from . import redactable
from .gathered import Gathered, Section, load
from .models import AccessRequest, RedactionOutcome, SystemSearch
from .sections import SECTIONS

# A record with more rows than this gets a table of contents.
LONG_RECORD_ROWS = 40


@dataclass
class AccessRecord:
    pupil: Pupil
    school: School
    request: AccessRequest | None
    today: datetime.date
    sections: list[Section]
    withheld: list[list[str]]
    draft: bool = False
    searches: list[SystemSearch] = field(default_factory=list)

    @property
    def generated_on(self) -> str:
        return long_date(self.today)

    @property
    def is_long(self) -> bool:
        """Long enough to need a table of contents."""
        return sum(len(s.rows) for s in self.sections) > LONG_RECORD_ROWS


def withheld_rows(g: Gathered) -> list[list[str]]:
    """What was withheld or redacted and on which ground, without revealing
    it: a record by its kind, a third party by their relationship, never by
    name; staff's reasons stay in the request (they may reveal what they
    are about). Decisions about another pupil's records are left out."""
    rows = []
    own_records = redactable.keys_of(g)
    for d in g.redactions:
        if d.outcome == RedactionOutcome.DISCLOSE:
            continue
        what = d.item
        if d.record_type is not None and d.record_id is not None:
            label = f"{d.record_type.app_label}.{d.record_type.model}"
            if (label, int(d.record_id)) not in own_records:
                continue
            what = redactable.noun(label)
        elif d.contact_id:
            link = next((x for x in g.contact_links if x.contact_id == d.contact_id), None)
            if link is None:
                continue
            what = _("A contact (%(relationship)s)") % {
                "relationship": link.get_relationship_display()
            }
        rows.append([what, d.get_outcome_display(), d.get_ground_display()])
    return rows


def gather_access_record(
    pupil_id: int,
    *,
    request: AccessRequest | None = None,
    today: datetime.date | None = None,
    draft: bool = False,
) -> AccessRecord:
    g = load(pupil_id, request=request, today=today)
    return AccessRecord(
        pupil=g.pupil,
        school=g.school,
        request=request,
        today=g.today,
        sections=[build(g) for build in SECTIONS],
        withheld=withheld_rows(g),
        draft=draft,
        searches=list(request.searches.all()) if request is not None else [],
    )
