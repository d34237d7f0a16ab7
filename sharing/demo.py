"""Demo data for sharing: disclosures, CTFs sent, subject access requests, then
the other rights requests and complaints, and the breach register."""

from sharing.access import demo as access_demo
from sharing.breaches import demo as breaches_demo
from sharing.ctf import demo as ctf_demo
from sharing.disclosures import demo as disclosures_demo
from sharing.rights import demo as rights_demo


def seed(ctx) -> None:
    disclosures_demo.seed(ctx)
    ctf_demo.seed(ctx)
    access_demo.seed(ctx)
    rights_demo.seed(ctx)
    breaches_demo.seed(ctx)
