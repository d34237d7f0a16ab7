"""Models of the three sharing sub-domains, one module each:

- ``disclosures``: the disclosure log and Common Transfer File batches;
- ``access``: subject access requests.
"""

from .access import *  # noqa: F403
from .access import __all__ as _access_all

__all__ = [*_access_all]
