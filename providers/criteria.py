"""The questions a cloud provider is assessed against, as plain data.

Three question sets, each with its source named (see also docs/law.md,
"Assessing a cloud provider"). ``critical`` marks the criteria whose failure
alone makes a provider unacceptable: a "not met" there is always red.

Codes are stored in the database: never rename one; add new codes instead.
"""

from __future__ import annotations

from dataclasses import dataclass

NCSC = "ncsc"
DFE = "dfe"
ART28 = "art28"

SOURCES = {
    NCSC: "NCSC, Cloud security guidance: the 14 cloud security principles "
    "(https://www.ncsc.gov.uk/collection/cloud/the-cloud-security-principles)",
    DFE: "DfE, Cloud software services and the Data Protection Act: supplier "
    "self-certification statement sections",
    ART28: "UK GDPR Article 28(3): terms a processing contract must contain",
}

SECTION_TITLES = {
    NCSC: "NCSC cloud security principles",
    DFE: "DfE cloud services self-certification",
    ART28: "Contract terms (UK GDPR Art 28(3))",
}


@dataclass(frozen=True)
class Criterion:
    code: str
    section: str
    title: str
    critical: bool = False

    @property
    def source(self) -> str:
        return SOURCES[self.section]


CRITERIA: tuple[Criterion, ...] = (
    # NCSC: the 14 cloud security principles, in the NCSC's order.
    Criterion("ncsc-01", NCSC, "1. Data in transit protection", critical=True),
    Criterion("ncsc-02", NCSC, "2. Asset protection and resilience", critical=True),
    Criterion("ncsc-03", NCSC, "3. Separation between customers", critical=True),
    Criterion("ncsc-04", NCSC, "4. Governance framework"),
    Criterion("ncsc-05", NCSC, "5. Operational security"),
    Criterion("ncsc-06", NCSC, "6. Personnel security"),
    Criterion("ncsc-07", NCSC, "7. Secure development"),
    Criterion("ncsc-08", NCSC, "8. Supply chain security"),
    Criterion("ncsc-09", NCSC, "9. Secure user management"),
    Criterion("ncsc-10", NCSC, "10. Identity and authentication", critical=True),
    Criterion("ncsc-11", NCSC, "11. External interface protection"),
    Criterion("ncsc-12", NCSC, "12. Secure service administration"),
    Criterion("ncsc-13", NCSC, "13. Audit information and alerting for customers"),
    Criterion("ncsc-14", NCSC, "14. Secure use of the service"),
    # DfE self-certification statement sections.
    Criterion("dfe-legal", DFE, "Overarching legal requirements", critical=True),
    Criterion("dfe-processing", DFE, "Data processing obligations", critical=True),
    Criterion("dfe-confidentiality", DFE, "Data confidentiality"),
    Criterion("dfe-integrity", DFE, "Data integrity"),
    Criterion("dfe-availability", DFE, "Service availability"),
    Criterion("dfe-transfers", DFE, "Transfers beyond the United Kingdom"),
    Criterion("dfe-advertising", DFE, "Use of pupils' data for advertising", critical=True),
    # Art 28(3)(a)-(h).
    Criterion(
        "art28-a",
        ART28,
        "(a) Processes only on the school's documented instructions",
        critical=True,
    ),
    Criterion("art28-b", ART28, "(b) Staff bound by confidentiality"),
    Criterion("art28-c", ART28, "(c) Security measures (Art 32)", critical=True),
    Criterion("art28-d", ART28, "(d) Sub-processors only with authorisation and the same terms"),
    Criterion("art28-e", ART28, "(e) Helps the school answer data subjects' rights"),
    Criterion("art28-f", ART28, "(f) Helps with security, breach notification and DPIAs"),
    Criterion(
        "art28-g", ART28, "(g) Deletes or returns all data when the service ends", critical=True
    ),
    Criterion("art28-h", ART28, "(h) Provides information and allows audits"),
)

BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}
CRITICAL_CODES: frozenset[str] = frozenset(c.code for c in CRITERIA if c.critical)


def choices() -> list[tuple[str, str]]:
    return [(c.code, f"{SECTION_TITLES[c.section]}: {c.title}") for c in CRITERIA]
