"""The models of the sharing app, defined in its three sub-domains and
re-exported here (Django finds them here; table names stay ``sharing_*``):

- ``sharing.disclosures.models``: the disclosure log and census days;
- ``sharing.ctf.models``: Common Transfer File import batches;
- ``sharing.access.models``: subject access requests;
- ``sharing.access.files``: the response PDFs a job produced, kept for a while;
- ``sharing.breaches.models``: the breach register;
- ``sharing.registers.models``: the record of processing activities;
- ``sharing.rights.models``: other rights requests and complaints.
"""

from sharing.access.files import *  # noqa: F403
from sharing.access.files import __all__ as _files_all
from sharing.access.models import *  # noqa: F403
from sharing.access.models import __all__ as _access_all
from sharing.breaches.models import *  # noqa: F403
from sharing.breaches.models import __all__ as _breaches_all
from sharing.ctf.models import *  # noqa: F403
from sharing.ctf.models import __all__ as _ctf_all
from sharing.disclosures.models import *  # noqa: F403
from sharing.disclosures.models import __all__ as _disclosures_all
from sharing.registers.models import *  # noqa: F403
from sharing.registers.models import __all__ as _registers_all
from sharing.rights.models import *  # noqa: F403
from sharing.rights.models import __all__ as _rights_all

__all__ = [
    *_disclosures_all,
    *_ctf_all,
    *_access_all,
    *_files_all,
    *_breaches_all,
    *_registers_all,
    *_rights_all,
]
