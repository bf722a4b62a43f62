"""An exercise's history as trainers read it: what each recorded version held and what changed
between two versions, old → new per field and per row ("Step 2: 'old' → 'new'", moves too).

A version is the exercise's django-reversion Version together with the versions of its rows
in the same revision (exercises/models/versioned.py). Values are shown by name: taxonomy ids
are looked up together for every snapshot on a page, and a value deleted since is named from
its own last version. Reverting is in exercises/revert.py.
"""

import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from reversion.models import Version

from .models import EXERCISE_ROWS, Exercise

# How each followed relation is named in a change, and the fields shown for its rows.
ROW_LABELS = {
    "aliases": ("Alias", ["name"]),
    "secondary_muscle_links": ("Secondary muscle", ["muscle"]),
    "steps": ("Step", ["text"]),
    "pro_tips": ("Pro tip", ["text"]),
    "common_mistakes": ("Common mistake", ["text"]),
    "faqs": ("FAQ", ["question", "answer"]),
    "media": (
        "Image",
        ["alt_text", "caption", "creator", "creator_is_organization", "licence", "source_url"],
    ),
    "text_credit": ("Text credit", ["creator", "creator_is_organization", "licence", "source_url"]),
    "substitute_choices": ("Swap for", ["substitute", "choice"]),
}
# Exercise fields no trainer edits, or that every save changes: never listed as a change.
UNLISTED = {"id", "version", "created", "updated", "search_document"}
# Longest text shown in a change before it is cut ("…").
SHOWN_TEXT = 300
# Characters kept on each side of an edit when the history list cuts a long text to it.
SUMMARY_CONTEXT = 30


@dataclass
class Row:
    pk: int
    fields: dict  # the stored fields, foreign keys as ids

    @property
    def position(self):
        return self.fields.get("position", 1)


@dataclass
class Snapshot:
    """The exercise and its rows as one version holds them."""

    version: Version
    fields: dict
    rows: dict = field(default_factory=dict)  # relation → [Row] in listing order

    @property
    def number(self):
        """The exercise's optimistic-locking version saved in it."""
        return self.fields.get("version")


@dataclass(frozen=True)
class Change:
    """One line of a diff: what (e.g. "Step 2"), how ("changed", "added", "removed", "moved")
    and the values before and after, as text."""

    what: str
    how: str
    old: str = ""
    new: str = ""

    @property
    def excerpts(self):
        """(old, new) cut to the part that differs, with a little context: a one-word edit of
        a long text shows as that word, not as two long texts that look alike."""
        return excerpt_pair(self.old, self.new)


def excerpt_pair(old, new, context=SUMMARY_CONTEXT):
    if len(old) <= 2 * context or len(new) <= 2 * context:
        return old, new
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    start = old.rfind(" ", 0, max(start - context, 0)) + 1 if start > context else 0

    def cut(text):
        stop = len(text) - end
        stop = text.find(" ", stop + context) if end > context else len(text)
        stop = len(text) if stop == -1 else stop
        return ("…" if start else "") + text[start:stop] + ("…" if stop < len(text) else "")

    return cut(old), cut(new)


def stored_fields(version):
    """A version's stored fields ({} when its data cannot be read)."""
    try:
        return json.loads(version.serialized_data)[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return {}


def snapshots(versions):
    """The Snapshot of each of these Versions of exercises, with two queries for them all."""
    versions = list(versions)
    if not versions:
        return []
    row_types = {
        ContentType.objects.get_for_model(model).pk: name for name, model in EXERCISE_ROWS.items()
    }
    by_revision = {}
    held = Version.objects.filter(
        revision_id__in={v.revision_id for v in versions}, content_type_id__in=row_types
    ).only("revision_id", "content_type_id", "object_id", "serialized_data")
    for row_version in held:
        by_revision.setdefault(row_version.revision_id, []).append(row_version)
    result = []
    for version in versions:
        snapshot = Snapshot(version, stored_fields(version), {name: [] for name in EXERCISE_ROWS})
        for row_version in by_revision.get(version.revision_id, []):
            values = stored_fields(row_version)
            # A revision may hold several exercises (a merge): keep this one's rows.
            if str(values.get("exercise")) != version.object_id:
                continue
            relation = row_types[row_version.content_type_id]
            snapshot.rows[relation].append(Row(int(row_version.object_id), values))
        for rows in snapshot.rows.values():
            rows.sort(key=lambda row: (row.position, row.pk))
        result.append(snapshot)
    return result


def versions_of(exercise_id):
    """The recorded versions of one exercise, newest first, with their revision and user."""
    return (
        Version.objects.get_for_object_reference(Exercise, exercise_id)
        .select_related("revision__user")
        .order_by("-pk")  # recorded order; bulk-recorded revisions share their time
    )


class Names:
    """The names of the taxonomy values (and other rows) the snapshots refer to, looked up
    once per model; a value deleted since is named from its last recorded version."""

    def __init__(self, snapshots):
        self.wanted = {}
        for snapshot in snapshots:
            self.collect(Exercise, snapshot.fields)
            for relation, rows in snapshot.rows.items():
                for row in rows:
                    self.collect(EXERCISE_ROWS[relation], row.fields)
        self.names = {}
        for model, ids in self.wanted.items():
            found = dict(model._base_manager.filter(pk__in=ids).values_list("pk", "name"))
            missing = ids - set(found)
            if missing:
                last = Version.objects.get_for_model(model).filter(
                    object_id__in=[str(pk) for pk in missing]
                )
                for version in last.order_by("pk"):
                    found.setdefault(("gone", int(version.object_id)), version.object_repr)
            self.names[model] = found

    def collect(self, model, values):
        for name, value in values.items():
            related = foreign_model(model, name)
            if related is not None and value is not None:
                self.wanted.setdefault(related, set()).add(value)

    def of(self, model, pk):
        names = self.names.get(model, {})
        if pk in names:
            return names[pk]
        last = names.get(("gone", pk))
        noun = model._meta.verbose_name
        return f"a deleted {noun} (“{last}”)" if last else f"a deleted {noun} (#{pk})"

    def is_deleted(self, model, pk):
        return pk not in self.names.get(model, {})


def foreign_model(model, name):
    """The model a field of `model` refers to, for the fields shown by name (None otherwise)."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the version was stored
        return None
    related = model_field.related_model if model_field.many_to_one else None
    # A row's link to its own exercise is not a value; a substitute exercise is.
    return None if name == "exercise" and related is Exercise else related


def shown(model, name, value, names):
    """A stored value as a trainer reads it."""
    if value is None or value == "":
        return "(empty)"
    related = foreign_model(model, name)
    if related is not None:
        return names.of(related, value)
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def label(model, name):
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))


def diff(old, new, names):
    """The changes from snapshot `old` (None: the first version) to `new`, in form order:
    the exercise's fields, then each list's rows."""
    changes = []
    old_fields = old.fields if old else {}
    for name, value in new.fields.items():
        if name in UNLISTED:
            continue
        before = old_fields.get(name)
        if old is not None and before == value:
            continue
        changes.append(
            Change(
                label(Exercise, name),
                "changed" if old is not None else "added",
                shown(Exercise, name, before, names) if old is not None else "",
                shown(Exercise, name, value, names),
            )
        )
    for relation in EXERCISE_ROWS:
        old_rows = old.rows.get(relation, []) if old else []
        changes += row_changes(relation, old_rows, new.rows.get(relation, []), names)
    return changes


def row_text(relation, row, names):
    """A row as one line of text: its shown fields, joined."""
    model = EXERCISE_ROWS[relation]
    _, fields = ROW_LABELS[relation]
    values = [shown(model, name, row.fields.get(name), names) for name in fields]
    if relation == "faqs":
        return f"{values[0]} — {values[1]}"
    if len(fields) == 1:
        return values[0]
    return "; ".join(
        f"{label(model, name).lower()}: {value}" for name, value in zip(fields, values, strict=True)
    )


def row_changes(relation, old_rows, new_rows, names):
    """Rows removed, added, edited and moved, matched by their identity (primary key)."""
    noun, fields = ROW_LABELS[relation]
    model = EXERCISE_ROWS[relation]
    single = relation == "text_credit"
    old_by_pk = {row.pk: (place, row) for place, row in enumerate(old_rows, start=1)}
    new_by_pk = {row.pk: (place, row) for place, row in enumerate(new_rows, start=1)}

    def what(place):
        return noun if single else f"{noun} {place}"

    changes = []
    for pk, (place, row) in old_by_pk.items():
        if pk not in new_by_pk:
            changes.append(Change(what(place), "removed", row_text(relation, row, names), ""))
    for pk, (place, row) in new_by_pk.items():
        if pk not in old_by_pk:
            changes.append(Change(what(place), "added", "", row_text(relation, row, names)))
            continue
        _, before = old_by_pk[pk]
        for name in fields:
            if before.fields.get(name) != row.fields.get(name):
                title = what(place) if len(fields) == 1 else f"{what(place)}, {label(model, name)}"
                changes.append(
                    Change(
                        title,
                        "changed",
                        shown(model, name, before.fields.get(name), names),
                        shown(model, name, row.fields.get(name), names),
                    )
                )
    # Order: the rows kept, in their old order against their new order.
    kept_old = [pk for pk in old_by_pk if pk in new_by_pk]
    kept_new = [pk for pk in new_by_pk if pk in old_by_pk]
    if kept_old != kept_new:
        for pk in kept_new:
            old_place, new_place = old_by_pk[pk][0], new_by_pk[pk][0]
            if kept_old.index(pk) != kept_new.index(pk):
                text = row_text(relation, new_by_pk[pk][1], names)
                short = text if len(text) <= 60 else text[:59] + "…"
                changes.append(
                    Change(
                        f"{noun} “{short}”", "moved", f"{noun} {old_place}", f"{noun} {new_place}"
                    )
                )
    return changes
