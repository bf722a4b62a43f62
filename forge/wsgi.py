"""WSGI entry point, served by gunicorn in production (see gunicorn.conf.py).

Hot pages are answered from the process's memory before Django runs (forge/hotpages.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
django_application = get_wsgi_application()

from forge.hotpages import HotPages  # noqa: E402  (after Django is set up)

application = HotPages(django_application)
