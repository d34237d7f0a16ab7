"""What ``sharing.ctf.reader`` makes of a CTF: plain dataclasses, with what
could not be read listed per pupil. Nothing here decides what to do with it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


class CtfError(Exception):
    """The whole file is refused; the message says why, for staff to read."""


@dataclass
class CtfSchool:
    lea: str = ""
    estab: str = ""
    urn: str = ""
    name: str = ""

    @property
    def dfe_number(self) -> str:
        return f"{self.lea}/{self.estab}"


@dataclass
class CtfHeader:
    version: str
    generated_at: datetime.datetime | None
    qualifier: str  # "full" or "partial"
    supplier: str
    source: CtfSchool
    dest: CtfSchool | None
    academic_year: str = ""

    @property
    def is_partial(self) -> bool:
        return self.qualifier == "partial"

    @property
    def from_dfe(self) -> bool:
        # The DfE's own services (e.g. the KS2 and MTC results) send partial CTFs.
        text = f"{self.source.name} {self.supplier}".casefold()
        return "department for education" in text or "dfe" in text.split()

    @property
    def file_date(self) -> datetime.date | None:
        return self.generated_at.date() if self.generated_at else None


@dataclass
class CtfAddress:
    line1: str = ""
    line2: str = ""
    town: str = ""
    postcode: str = ""


@dataclass
class CtfContact:
    order: int
    title: str
    forename: str
    surname: str
    relationship: str
    responsibility: bool
    email: str = ""
    phone_home: str = ""
    phone_mobile: str = ""
    phone_work: str = ""
    address: CtfAddress | None = None


@dataclass
class CtfAttendance:
    academic_year: int
    term: str
    possible: int
    attended: int
    authorised: int
    unauthorised: int


@dataclass
class CtfAssessment:
    stage: str
    subject: str
    method: str
    result: str
    academic_year: int


@dataclass
class CtfSenNeed:
    need_type: str
    rank: int


@dataclass
class CtfPupil:
    upn: str
    surname: str
    forename: str
    date_of_birth: datetime.date | None
    sex: str
    middle_names: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    former_upn: str = ""
    nc_year: str = ""
    ethnicity: str = ""
    first_language: str = ""
    address: CtfAddress | None = None
    contacts: list[CtfContact] = field(default_factory=list)
    attendance: list[CtfAttendance] = field(default_factory=list)
    assessments: list[CtfAssessment] = field(default_factory=list)
    sen_provision: str = ""
    sen_needs: list[CtfSenNeed] = field(default_factory=list)
    #: Sections the file carries for this pupil: a partial CTF touches only these.
    sections: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    upn_problem: str = ""

    @property
    def readable(self) -> bool:
        """Whether the pupil can be matched at all (a valid UPN)."""
        return bool(self.upn) and not self.upn_problem

    @property
    def label(self) -> str:
        name = " ".join(p for p in (self.forename, self.surname) if p) or "(no name)"
        return f"{name} ({self.upn or 'no UPN'})"


@dataclass
class CtfFile:
    header: CtfHeader
    pupils: list[CtfPupil]
    ignored_elements: list[str]
