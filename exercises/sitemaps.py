"""The sitemap index and its sections: every indexable page once, at its canonical address.

Listed: published exercises, the library and every hub with exercises, and combination hubs.
Not listed: drafts, empty hubs (noindex), query-parameter states (noindex), combination hubs
of the catch-all equipment “Other” (noindex) and the pages after
the first of a hub: they are indexable, but every exercise they list is in the sitemap itself.
Each lastmod is the page's Last-Modified (see conditional.py), so it only moves when the
page's content does.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Count, Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from .browse import MIN_COMBINATION_SIZE
from .conditional import exercise_last_change
from .models import FACETS, Equipment, Exercise, ExerciseMedia


@dataclass(frozen=True)
class Page:
    path: str
    lastmod: datetime


class SiteSitemap(Sitemap):
    """Absolute URLs from SITE_URL, whatever host the request came in on."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item):
        return item.lastmod


class ExerciseSitemap(SiteSitemap):
    """Every published exercise with its images, from plain rows: a count, the page's rows and
    their images (three queries), no reverse() or model instance per row."""

    def items(self):
        return self.exercises(grouped=True).order_by("name").values_list("pk", "slug", "lastmod")

    def get_latest_lastmod(self):
        return self.exercises().aggregate(latest=Max("lastmod"))["latest"]

    @staticmethod
    def exercises(grouped=False):
        lastmod = exercise_last_change(grouped=grouped)
        return Exercise.objects.published().annotate(lastmod=lastmod)

    @cached_property
    def paginator(self):
        paginator = super().paginator
        # Counted without the grouped lastmod, which a count of items() would compute.
        paginator.count = Exercise.objects.published().count()
        return paginator

    def _urls(self, page, protocol, domain):
        rows = list(self.paginator.page(page).object_list)
        # Each page's images are listed with it (image:image in sitemaps/section.xml).
        media = ExerciseMedia.objects.only("exercise_id", "content_hash", "width", "position")
        if self.paginator.num_pages > 1:  # only this page's exercises
            media = media.filter(exercise_id__in=[pk for pk, _, _ in rows])
        else:
            media = media.filter(exercise__status=Exercise.Status.PUBLISHED)
        images = {}
        for item in media.order_by("exercise_id", "position", "id"):
            images.setdefault(item.exercise_id, []).append(item.largest_absolute_url)
        # The slug is the address's only part (a canonical slug needs no quoting).
        prefix = f"{protocol}://{domain}" + reverse("exercises:detail", args=["x"])[:-1]
        urls = [
            {
                "location": prefix + slug,
                "lastmod": lastmod,
                "images": images.get(pk, ()),
            }
            for pk, slug, lastmod in rows
        ]
        if urls:
            self.latest_lastmod = max(url["lastmod"] for url in urls)
        return urls


def hubs_with_exercises(model):
    """A facet's values that have published exercises, each with its `count` of them and the
    `newest` one's edit time."""
    relation = model.exercise_relation
    is_member = Q(**{f"{relation}__status": Exercise.Status.PUBLISHED})
    return model.objects.annotate(
        count=Count(relation, filter=is_member),
        newest=Max(f"{relation}__updated", filter=is_member),
    ).filter(count__gt=0)


def combinations_with_exercises():
    """Body part and equipment pairs with an indexed combination hub: slugs, names, `count` and
    edit times. The catch-all equipment's combinations are not indexed (Browse.indexable)."""
    return (
        Exercise.objects.published()
        .exclude(equipment__slug=Equipment.CATCH_ALL_SLUG)
        .order_by("body_part__slug", "equipment__slug")
        .values("body_part__slug", "equipment__slug", "body_part__name", "equipment__name")
        .annotate(
            count=Count("pk"),
            newest=Max("updated"),
            body_part_updated=Max("body_part__updated"),
            equipment_updated=Max("equipment__updated"),
        )
        .filter(count__gte=MIN_COMBINATION_SIZE)
    )


class HubSitemap(SiteSitemap):
    """The library index, then each facet's hubs that have published exercises."""

    def items(self):
        published = Exercise.objects.published()
        newest = published.order_by("-updated").values_list("updated", flat=True).first()
        pages = [Page(reverse("exercises:library"), newest)] if newest else []
        for model in FACETS:
            pages += [
                Page(hub.get_absolute_url(), max(hub.updated, hub.newest))
                for hub in hubs_with_exercises(model)
            ]
        return pages

    def location(self, item):
        return item.path


class CombinationSitemap(SiteSitemap):
    """Body part and equipment pairs with enough published exercises for their own hub."""

    def items(self):
        return [
            Page(
                reverse(
                    "exercises:combination", args=[pair["body_part__slug"], pair["equipment__slug"]]
                ),
                max(pair["newest"], pair["body_part_updated"], pair["equipment_updated"]),
            )
            for pair in combinations_with_exercises()
        ]

    def location(self, item):
        return item.path


SITEMAPS = {
    "exercises": ExerciseSitemap,
    "hubs": HubSitemap,
    "combinations": CombinationSitemap,
}


@x_robots_tag
def index(request):
    """Django's index view names its sections after the request's host; this one uses
    SITE_URL like every other absolute address."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        url = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{url}?p={page}", lastmod))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
