"""The library's taxonomy lists on import: each record checked against the database and the
file's other records, and planned as created, updated, skipped or unchanged."""

from ..models import Muscle
from ..text import normalize_name
from .checks import check_instance, check_unique, clean_name, differing
from .format import TAXONOMY, normalize, taxon_record
from .plan import Change


def taxonomy_slugs():
    """Slugs of the taxonomy in the database, by section; muscles map to their body part."""
    slugs = {s.key: dict.fromkeys(s.model.objects.values_list("slug", flat=True)) for s in TAXONOMY}
    slugs["muscles"] = dict(Muscle.objects.values_list("slug", "body_part__slug"))
    return slugs


def plan_taxonomy(plan, records, update, errors):
    """Check each taxonomy list; return every usable taxon by section and slug."""
    known = {}
    for section in TAXONOMY:
        taxa = section.model.objects.all()
        if section.key == "muscles":
            taxa = taxa.select_related("body_part")
        existing = {taxon.slug: taxon for taxon in taxa}
        by_name = {normalize_name(t.name): t for t in existing.values()}
        known[section.key] = dict(existing)
        seen = {"slug": {}, "name": {}, "map_region": {}}
        for index, record in enumerate(records[section.key]):
            data = normalize(record, section.fields, errors)
            if data is None:
                continue
            if "position" in data and data["position"] is None:
                data["position"] = index + 1
            data["name"] = clean_name(data["name"])
            current = existing.get(data["slug"])
            if current is not None and "map_region" in data and "map_region" not in record.data:
                # A file from before the muscle map says nothing about regions: keep the one
                # a trainer drew; only an explicit value ("" for none) changes it.
                data["map_region"] = current.map_region
            check_unique(seen, "slug", data["slug"], record, errors)
            check_unique(seen, "name", data["name"], record, errors)
            if data.get("map_region"):
                check_unique(seen, "map_region", data["map_region"], record, errors)
            values = {k: v for k, v in data.items() if k != "body_part"}
            candidate = section.model(pk=current.pk if current else None, **values)
            if section.key == "muscles":
                body_part = known["body_parts"].get(data["body_part"])
                if body_part is None:
                    errors.append(
                        f'{record.label}: body_part "{data["body_part"]}" is not a known body '
                        "part slug"
                    )
                    continue
                candidate.body_part = body_part
            if not check_instance(candidate, record, errors, exclude=["body_part"]):
                continue
            if section.key in ("body_parts", "difficulties"):
                other = "difficulties" if section.key == "body_parts" else "body_parts"
                if any(
                    r.data.get("slug") == data["slug"]
                    for r in records[other]
                    if isinstance(r.data, dict)
                ):
                    errors.append(
                        f'{record.label}: slug "{data["slug"]}" is also in "{other}"; body parts '
                        "and difficulties share /exercises/<slug>"
                    )
            if current is None:
                action, instance = "created", candidate
            elif taxon_record(section, current) == data:
                action, instance = "unchanged", current
            else:
                action, instance = ("updated", candidate) if update else ("skipped", current)
                fields = differing(taxon_record(section, current), data)
                plan.changes.append(Change(section.key, current.name, fields, action))
            holder = by_name.get(data["name"])
            if action in ("created", "updated") and holder and holder.slug != data["slug"]:
                errors.append(
                    f'{record.label}: name "{data["name"]}" is already used by the '
                    f'{section.noun} "{holder.slug}"'
                )
            if action in ("created", "updated") and section.key == "muscles":
                holder = instance.region_holder()
                if holder:
                    errors.append(
                        f'{record.label}: map_region "{instance.map_region}" is already the '
                        f'region of the muscle "{holder.slug}"'
                    )
            known[section.key][data["slug"]] = instance
            plan.count(section.key, action)
            if action in ("created", "updated"):
                plan.taxa.append(instance)
    return known
