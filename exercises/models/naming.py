"""What an exercise and a taxonomy value share: a name stored normalised, and an address whose
earlier slugs are remembered so that links to them keep working."""

from ..text import normalize_name


class NormalizedNameMixin:
    """Store `name` through normalize_name (NFC, trimmed, single plain spaces): “Café” typed in
    two encodings, or with a stray or non-breaking space, is one name, so look-alike names
    cannot both exist."""

    def clean(self):
        # Before the uniqueness checks (full_clean runs them after clean), so that a form refuses
        # a look-alike of an existing name instead of the database. Length messages still count
        # the characters as typed.
        self.name = normalize_name(self.name)
        super().clean()

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        super().save(*args, **kwargs)


class SlugHistoryMixin:
    """Record the slug a row had when it was loaded once it is saved with another one, so that
    the old address redirects to the new one.

    The history table is the model behind its `old_slugs` relation; a table shared by several
    models tells their rows apart by `slug_history_scope()`.
    """

    def slug_history_scope(self):
        """The history table's columns that, besides the slug, identify this model's rows."""
        return {}

    def save(self, *args, **kwargs):
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        relation = self._meta.get_field("old_slugs")
        history, scope = relation.related_model.objects, self.slug_history_scope()
        if old_slug and old_slug != self.slug:
            history.update_or_create(slug=old_slug, **scope, defaults={relation.field.name: self})
        # A live slug always wins over history (e.g. after renaming back).
        history.filter(slug=self.slug, **scope).delete()
        self._loaded_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        """Remember the slug as loaded, so that save() can record a rename."""
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance
