"""JSON-LD for each page type: schema.org dicts built from exactly what the page shows.

Every page gets one `@graph`: its breadcrumb, the page itself and what the page is about. Nothing
here is hidden from visitors: a node is only added for content the page renders.
"""

import json

from django.conf import settings
from django.urls import reverse

CONTEXT = "https://schema.org"
# The equipment that is no tool: exercises using it get no HowToTool.
BODY_WEIGHT_SLUG = "bodyweight"
# Inside <script>, "</script>" or "<!--" in a string would end or alter the block; JSON allows
# these characters escaped, and parsers read them back unchanged.
SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def to_script(data):
    """JSON text that is safe inside <script type="application/ld+json">."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)


def graph(*nodes):
    return {"@context": CONTEXT, "@graph": list(nodes)}


def breadcrumb_list(crumbs, page_url, current_url=None):
    """The visible breadcrumb, positions 1..n; its last crumb, shown without a link, is the page
    itself (on page 2 of a hub, the hub: `current_url`)."""
    current_url = current_url or page_url
    return {
        "@type": "BreadcrumbList",
        "@id": f"{page_url}#breadcrumb",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(url) if url else current_url,
            }
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def exercise_page(exercise, faqs, crumbs):
    """WebPage with the HowTo (steps, equipment) and the FAQPage of every visible question."""
    url = absolute(exercise.get_absolute_url())
    steps = list(exercise.steps.all())
    page = {
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": exercise.name,
        "description": exercise.full_quick_answer,
        "inLanguage": "en",
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
    }
    aliases = [alias.name for alias in exercise.aliases.all()]
    if aliases:
        page["alternateName"] = aliases
    nodes = [breadcrumb_list(crumbs, url), page]
    media = media_objects(exercise, url)
    if media:
        page["primaryImageOfPage"] = {"@id": media[0]["@id"]}
        page["image"] = [{"@id": node["@id"]} for node in media]
        nodes += media
    if steps:
        howto = {
            "@type": "HowTo",
            "@id": f"{url}#how-to",
            "name": exercise.name,
            **({"alternateName": aliases} if aliases else {}),
            "description": exercise.full_quick_answer,
            "step": [
                {"@type": "HowToStep", "position": position, "text": step.text}
                for position, step in enumerate(steps, start=1)
            ],
        }
        if exercise.equipment.slug != BODY_WEIGHT_SLUG:
            howto["tool"] = [{"@type": "HowToTool", "name": exercise.equipment.name}]
        page["mainEntity"] = {"@id": howto["@id"]}
        nodes.append(howto)
    if faqs:
        faq_page = {
            "@type": "FAQPage",
            "@id": f"{url}#faq",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": faq.question,
                    "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
                }
                for faq in faqs
            ],
        }
        page["hasPart"] = {"@id": faq_page["@id"]}
        nodes.append(faq_page)
    return graph(*nodes)


def media_objects(exercise, url):
    """An ImageObject or VideoObject per media item, with the licence metadata search engines
    show: creator, licence, where to get one, and the credit line the page prints."""
    nodes = []
    for position, item in enumerate(exercise.media.all(), start=1):
        width, height = item.largest_size
        node = {
            "@type": "VideoObject" if item.is_video else "ImageObject",
            "@id": f"{url}#media-{position}",
            "contentUrl": item.video_absolute_url if item.is_video else item.largest_absolute_url,
            "width": width,
            "height": height,
            "caption": item.caption or item.alt_text,
            "description": item.alt_text,
            "creator": {
                "@type": item.creator_schema_type,
                "name": item.credited_creator,
            },
            "creditText": item.credit_text,
        }
        if item.is_video:
            node |= {
                "name": item.caption or f"{exercise.name}: video",
                "thumbnailUrl": item.largest_absolute_url,
                "uploadDate": item.created.isoformat(),
            }
        if item.licence_url:
            node["license"] = item.licence_url
        acquire = item.source_url or item.licence_url
        if acquire:
            node["acquireLicensePage"] = acquire
        if item.licence == "own":
            node["copyrightNotice"] = item.credit_text
        nodes.append(node)
    return nodes


def collection_page(browse, page, crumbs):
    """CollectionPage with an ItemList of exactly the exercises on this page, in order; the
    library's own pages also describe the site and its publisher."""
    url = absolute(browse.page_url)
    exercises = list(page.object_list)
    item_list = {
        "@type": "ItemList",
        "@id": f"{url}#exercises",
        "numberOfItems": len(exercises),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "url": absolute(exercise.get_absolute_url()),
                "name": exercise.name,
            }
            for position, exercise in enumerate(exercises, start=page.start_index())
        ],
    }
    collection = {
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": browse.heading,
        "description": browse.description,
        "inLanguage": "en",
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
        "mainEntity": {"@id": item_list["@id"]},
    }
    nodes = [breadcrumb_list(crumbs, url, absolute(browse.url)), collection, item_list]
    if browse.is_library:
        collection["isPartOf"] = {"@id": website_id()}
        nodes += [website(), organization()]
    return graph(*nodes)


def website_id():
    return f"{settings.SITE_URL}/#website"


def organization_id():
    return f"{settings.SITE_URL}/#organization"


def website():
    """The site, with the search form every page shows."""
    library = absolute(reverse("exercises:library"))
    return {
        "@type": "WebSite",
        "@id": website_id(),
        "url": library,
        "name": settings.SITE_NAME,
        "inLanguage": "en",
        "publisher": {"@id": organization_id()},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{library}?q={{search_term}}"},
            "query-input": "required name=search_term",
        },
    }


def organization():
    return {
        "@type": "Organization",
        "@id": organization_id(),
        "name": settings.SITE_NAME,
        "url": absolute(reverse("exercises:library")),
    }
