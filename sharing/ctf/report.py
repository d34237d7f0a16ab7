"""What a CTF import did, or would do: per pupil, and for the whole file.
Kept as JSON on the batch between the preview and the confirmation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

CREATE, UPDATE, UNCHANGED, SKIPPED = "create", "update", "unchanged", "skipped"


class CtfImportError(Exception):
    """The whole file is refused; nothing was changed."""


@dataclass
class PupilOutcome:
    upn: str
    name: str
    action: str
    changes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    source_school: str
    qualifier: str
    file_date: str
    dry_run: bool
    pupils: list[PupilOutcome]
    ignored_elements: list[str]

    def count(self, action: str) -> int:
        return sum(1 for p in self.pupils if p.action == action)

    @property
    def summary(self) -> str:
        if self.dry_run:
            text = _(
                "%(created)d to create, %(updated)d to update, %(unchanged)d unchanged, "
                "%(skipped)d cannot be imported"
            )
        else:
            text = _(
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d not imported"
            )
        return text % {
            "created": self.count(CREATE),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "skipped": self.count(SKIPPED),
        }

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        pupils = [PupilOutcome(**p) for p in data.get("pupils", [])]
        return cls(**{**data, "pupils": pupils})


def group_by_action(report: ImportReport) -> dict[str, list[PupilOutcome]]:
    groups: dict[str, list[PupilOutcome]] = defaultdict(list)
    for outcome in report.pupils:
        groups[outcome.action].append(outcome)
    return groups
