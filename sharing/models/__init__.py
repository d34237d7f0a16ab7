"""Models of the sharing sub-domains, one module each:

- ``disclosures``: the disclosure log, census days and Common Transfer File batches;
- ``access``: subject access requests.
"""

from .access import *  # noqa: F403
from .access import __all__ as _access_all
from .disclosures import *  # noqa: F403
from .disclosures import __all__ as _disclosures_all

__all__ = [*_disclosures_all, *_access_all]
