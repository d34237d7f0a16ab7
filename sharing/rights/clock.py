"""The complaint clock: pure date arithmetic, no Django.

DPA 2018 s164A(3)(a) (inserted by the Data (Use and Access) Act 2025, in
force from 19 June 2026): the controller must acknowledge receipt of a
complaint "within the period of 30 days beginning with the day on which the
complaint is received". The day of receipt is day 1, so the last day is 29
days after it. Rights requests use the access clock (sharing/deadlines.py).
"""

from __future__ import annotations

import datetime

COMPLAINT_ACKNOWLEDGEMENT_DAYS = 30


def complaint_acknowledge_by(received_on: datetime.date) -> datetime.date:
    """The last day to acknowledge a complaint received on ``received_on``."""
    return received_on + datetime.timedelta(days=COMPLAINT_ACKNOWLEDGEMENT_DAYS - 1)
