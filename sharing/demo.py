"""Demo data for sharing: disclosures, CTFs sent, then subject access requests."""

from sharing.access import demo as access_demo
from sharing.ctf import demo as ctf_demo
from sharing.disclosures import demo as disclosures_demo


def seed(ctx) -> None:
    disclosures_demo.seed(ctx)
    ctf_demo.seed(ctx)
    access_demo.seed(ctx)
