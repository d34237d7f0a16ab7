"""Demo data for sharing: disclosures and CTFs, then subject access requests."""

from . import demo_access, demo_disclosures


def seed(ctx) -> None:
    demo_disclosures.seed(ctx)
    demo_access.seed(ctx)
