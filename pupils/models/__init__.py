"""Schools, staff, pupils and everything the school holds about them, one
module per concern, re-exported here by name (``from pupils.models import
Pupil`` works everywhere):

- ``tenancy``: schools, terms, closure days, staff profiles;
- ``record``: where data came from, the pupil record and its parts;
- ``special``: special category data (docs/law.md, "Special category data");
- ``audit``: the audit trail's table (written only through ``pupils.audit``);
- ``staff``: staff sessions' table (the store is ``pupils.staff.sessions``).
"""

from .audit import AuditAction, AuditEvent
from .jobs import Job, JobStatus, WorkerHeartbeat  # noqa: F401
from .outbox import EmailKind, OutboxMessage, OutboxStatus  # noqa: F401
from .record import (
    AssessmentResult,
    AssessmentStage,
    AttendanceSummary,
    Contact,
    Destination,
    EnrolmentStatus,
    Exclusion,
    ExclusionCategory,
    ExclusionReason,
    NCYear,
    Pupil,
    PupilContact,
    PupilQuerySet,
    Relationship,
    Sex,
    Source,
    Sourced,
    TermName,
    validate_upn,
)
from .retention import *  # noqa: F403  (retention schedule and legal holds)
from .special import (
    Ethnicity,
    MedicalCondition,
    SenNeed,
    SenNeedType,
    SenProvision,
    SpecialCategoryRecord,
)
from .staff import StaffSession
from .tenancy import (
    ClosureDay,
    School,
    SchoolQuerySet,
    SchoolScopedQuerySet,
    SchoolType,
    StaffProfile,
    Term,
    sees_every_school,
)

__all__ = [
    "AssessmentResult",
    "AssessmentStage",
    "AttendanceSummary",
    "AuditAction",
    "AuditEvent",
    "ClosureDay",
    "Contact",
    "Destination",
    "EnrolmentStatus",
    "Ethnicity",
    "Exclusion",
    "ExclusionCategory",
    "ExclusionReason",
    "MedicalCondition",
    "NCYear",
    "Pupil",
    "PupilContact",
    "PupilQuerySet",
    "Relationship",
    "School",
    "SchoolQuerySet",
    "SchoolScopedQuerySet",
    "SchoolType",
    "SenNeed",
    "SenNeedType",
    "SenProvision",
    "Sex",
    "Source",
    "Sourced",
    "SpecialCategoryRecord",
    "StaffProfile",
    "StaffSession",
    "Term",
    "TermName",
    "sees_every_school",
    "validate_upn",
]
