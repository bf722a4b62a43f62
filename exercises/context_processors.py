from django.conf import settings


def site(request):
    """Site-wide names and origins every template may need."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CTA_TEXT": settings.CTA_TEXT,
        "CTA_URL": settings.CTA_URL,
    }
