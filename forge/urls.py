from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from exercises import crawlers, media_views, sitemaps
from forge.pagecache import public_page

admin.site.site_header = "Forge exercise library"
admin.site.site_title = "Forge admin"
admin.site.index_title = "Library content"

handler404 = "exercises.views.page_not_found"

# Crawlers re-read these often; a sitemap of 10,000 exercises is worth keeping for a while.
# Like the pages, they are kept in the page cache until the content changes (forge.pagecache).
crawler_file = public_page(max_age=3600)
# A sitemap section of more than 50,000 addresses has pages: ?p=2 (Django's sitemap view).
sitemap_section = public_page(max_age=3600, params=("p",))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", crawlers.robots_txt, name="robots_txt"),
    path("llms.txt", public_page()(crawlers.llms_txt), name="llms_txt"),
    path("sitemap.xml", crawler_file(sitemaps.index), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_section(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap_section",
    ),
    path("", include("exercises.urls")),
]
if not settings.PRODUCTION and settings.MEDIA_STORAGE == "local":
    # Development and tests; in production the proxy serves MEDIA_ROOT (docs/deployment.md).
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media_views.serve))
