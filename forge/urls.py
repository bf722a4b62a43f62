from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control

from exercises import crawlers, sitemaps
from exercises.caching import cache_public_page

admin.site.site_header = "Forge exercise library"
admin.site.site_title = "Forge admin"
admin.site.index_title = "Library content"

handler404 = "exercises.views.page_not_found"

# Crawlers re-read these often; a sitemap of 10,000 exercises is worth keeping for a while.
# Like the pages, they are kept in the page cache until the content changes (exercises.caching).
sitemap_section = cache_public_page(cache_control(public=True, max_age=3600)(sitemap_views.sitemap))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", crawlers.robots_txt, name="robots_txt"),
    path("llms.txt", cache_public_page(crawlers.llms_txt), name="llms_txt"),
    path(
        "sitemap.xml",
        cache_public_page(cache_control(public=True, max_age=3600)(sitemaps.index)),
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_section,
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap_section",
    ),
    path("", include("exercises.urls")),
]
