"""The risk a breach poses to people, from the likelihood and the severity
of harm the DPO judges (ICO guidance on personal data breaches: "assess both
the severity of the potential or actual impact on individuals and the
likelihood of this occurring").

The level decides what the law asks (docs/law.md, "Breaches"):
- "unlikely": no need to report to the ICO (Art 33(1)); record it all the same;
- "risk": report to the ICO within 72 hours;
- "high": report, and tell the people affected without undue delay (Art 34).

Pure: no Django, codes in and out.
"""

from __future__ import annotations

UNLIKELY, RISK, HIGH = "unlikely", "risk", "high"
LIKELIHOODS = ("remote", "possible", "likely")
SEVERITIES = ("minimal", "significant", "severe")

# Rows: likelihood; columns: severity (minimal, significant, severe).
_MATRIX = {
    "remote": (UNLIKELY, UNLIKELY, RISK),
    "possible": (UNLIKELY, RISK, HIGH),
    "likely": (RISK, HIGH, HIGH),
}


def risk_level(likelihood: str, severity: str) -> str:
    """``unlikely``, ``risk`` or ``high``; ValueError for an unknown code."""
    if likelihood not in _MATRIX or severity not in SEVERITIES:
        raise ValueError(f"unknown likelihood or severity: {likelihood!r}, {severity!r}")
    return _MATRIX[likelihood][SEVERITIES.index(severity)]
