"""The operator's gunicorn file: Pinpoint's packaged settings, to extend or override here.

`pinpoint serve` does not need this file (it loads ``pinpoint.service.gunicorn_conf``
from the installed package); it exists for running gunicorn by hand, e.g.
``gunicorn --config deploy/gunicorn.conf.py``.  Assign a setting below the
import to override it.
"""

from pinpoint.service.gunicorn_conf import *  # noqa: F401,F403  (settings and server hooks)
