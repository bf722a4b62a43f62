"""WSGI entry point, served by gunicorn in production (see gunicorn.conf.py).

Hot pages (forge/hotpages.py) and the refusals of a locked-out address's login POSTs
(forge/login_throttle.py) are answered from the process's memory before Django runs.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
django_application = get_wsgi_application()

from forge.hotpages import HotPages  # noqa: E402  (after Django is set up)
from forge.login_throttle import RefusedLogins  # noqa: E402

# Hot pages (GET, HEAD) and a login flood's refusals (POST) are answered before Django runs.
application = HotPages(RefusedLogins(django_application))
