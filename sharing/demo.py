"""Demo data for sharing: disclosures and CTFs, then subject access requests."""

from sharing.access import demo as access_demo
from sharing.disclosures import demo as disclosures_demo


def seed(ctx) -> None:
    disclosures_demo.seed(ctx)
    access_demo.seed(ctx)
