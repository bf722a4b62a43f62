"""The project's own system checks (`manage.py check --deploy`), registered by forge.apps."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

PROXY_COUNT_UNSET = "forge.W001"


@register(Tags.security, deploy=True)
def check_login_throttling_sees_clients(app_configs, **kwargs):
    """Warn when production does not say how many proxies stand before gunicorn: django-axes
    would then count every visitor's failed logins against the proxy's one address."""
    if not settings.PRODUCTION or getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) is not None:
        return []
    return [
        CheckWarning(
            "AXES_IPWARE_PROXY_COUNT is not set: login throttling takes the connecting address "
            "for the client's. Behind a proxy that is the proxy's, shared by every visitor, so "
            "a stranger's wrong passwords lock trainers out and the per-address limit locks "
            "out everyone.",
            hint="Set AXES_IPWARE_PROXY_COUNT=0 behind a single nginx, 1 with a load balancer "
            "in front of it (docs/deployment.md, section 4).",
            id=PROXY_COUNT_UNSET,
        )
    ]
