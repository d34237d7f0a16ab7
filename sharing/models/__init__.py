"""Models of the three sharing sub-domains, one module each:

- ``disclosures``: the disclosure log and Common Transfer File batches;
- ``access``: subject access requests.
"""

from .disclosures import *  # noqa: F403
from .disclosures import __all__ as _disclosures_all

__all__ = [*_disclosures_all]
