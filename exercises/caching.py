"""The library's content version: the token forge.pagecache checks stored pages and ETags against.

Any save or delete visitors could see replaces the token, in the same transaction as the change
(ExercisesConfig.ready() connects every model of the app). A draft, and the rows of a draft,
change nothing public, so editing them retires no page and changes no ETag. Writes that send
no signals (bulk_create, update) call content_changed() themselves.
"""

import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import ContentRevision, Exercise

REVISION = 1  # the primary key of the one row
TOKEN_SQL = "SELECT {} FROM {} WHERE {} = %s".format(
    *map(connection.ops.quote_name, ("token", ContentRevision._meta.db_table, "id"))
)
# Inside one_change_for_all(): the database aliases whose public content changed; else None.
_batch = ContextVar("content_change_batch", default=None)


def content_version():
    """The current token: one primary-key read (the row is made on first use).

    Read on every cached page, so written as plain SQL: the ORM's query building cost more than
    PostgreSQL's answer."""
    token = read_token()
    if token is None:
        try:
            with transaction.atomic():
                token = ContentRevision.objects.create(
                    pk=REVISION, token=uuid.uuid4().hex, changed=timezone.now()
                ).token
        except IntegrityError:  # another request made it first
            token = ContentRevision.objects.values_list("token", flat=True).get(pk=REVISION)
    return token


def read_token():
    """The token, or None before the row exists.

    On PostgreSQL a prepared statement (settings.DATABASE_PREPARED_STATEMENTS), run on
    Django's connection without its cursor wrapper: PostgreSQL does not parse and plan it again
    on each of the many reads, and psycopg's client side halves (docs/performance.md). Errors
    still mark the connection for Django, and the read is still logged where Django logs
    queries (tests, DEBUG)."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(TOKEN_SQL, [REVISION])
            row = cursor.fetchone()
        return row[0] if row else None
    import psycopg

    started = time.monotonic()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        row = (
            psycopg.Cursor(connection.connection)
            .execute(TOKEN_SQL, [REVISION], prepare=True)
            .fetchone()
        )
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": TOKEN_SQL % REVISION, "time": f"{time.monotonic() - started:.3f}"}
        )
    return row[0] if row else None


def current_version():
    """The token as a subquery, for a query that reads it along with its own rows (NULL until
    the row exists)."""
    return Subquery(ContentRevision.objects.filter(pk=REVISION).values("token"))


def content_changed(using=None):
    """Record a change visitors can see: a new random token, in the current transaction.

    Random rather than counted, so that a token rolled back with its transaction never comes
    back for pages cached while it was current. Only the database is written: whatever the
    cache does, the save goes through, and the next page view compares with this token.
    """
    values = {"token": uuid.uuid4().hex, "changed": timezone.now()}
    revisions = ContentRevision.objects.using(using)
    if not revisions.filter(pk=REVISION).update(**values):
        revisions.update_or_create(pk=REVISION, defaults=values)


def is_public(instance, created=False):
    """Whether a saved or deleted row may show on a public page: a draft and its rows do not.

    An exercise counts when it is published or was when loaded (unpublishing is a change; an
    instance not loaded from the database may have been published); a row of an exercise
    (steps, FAQs, media ...) follows its exercise; anything else, such as the taxonomy or a
    deleted exercise's old address, is public.
    """
    if isinstance(instance, Exercise):
        before = None if created else getattr(instance, "_loaded_status", Exercise.Status.PUBLISHED)
        return Exercise.Status.PUBLISHED in (instance.status, before)
    field = next(
        (f for f in instance._meta.concrete_fields if f.related_model is Exercise),
        None,
    )
    if field is None:
        return True
    if field.is_cached(instance):
        exercise = field.get_cached_value(instance)
        return exercise is None or is_public(exercise)
    exercise_id = getattr(instance, field.attname)
    if exercise_id is None:
        return True
    # Also a row deleted with its exercise: the rows go first, while the exercise is there.
    return Exercise.objects.filter(pk=exercise_id, status=Exercise.Status.PUBLISHED).exists()


@contextmanager
def one_change_for_all():
    """Replace the token once, at the end of the block, for all the public rows saved or
    deleted in it, instead of once per row (a query, often two).

    For one write of many rows, such as a queryset's delete (which sends a signal per row,
    cascaded steps and FAQs included) or an import, during which no page is read. If the
    block raises, nothing is recorded: its writes are rolled back with their transaction."""
    if _batch.get() is not None:  # already inside one: it records for both
        yield
        return
    changed = set()
    reset = _batch.set(changed)
    try:
        yield
    finally:
        _batch.reset(reset)
    for using in changed:
        content_changed(using)


def on_content_change(sender, instance, using=None, created=False, action="post_", **kwargs):
    if not action.startswith("post_"):
        return
    batch = _batch.get()
    if batch is None:
        if is_public(instance, created):
            content_changed(using)
    elif using not in batch and is_public(instance, created):
        batch.add(using)


def connect(models):
    """Retire public pages whenever one of these models' rows changes."""
    for model in models:
        uid = f"content-{model._meta.label}"
        post_save.connect(on_content_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(on_content_change, sender=model, dispatch_uid=f"{uid}-delete")
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(on_content_change, sender=through, dispatch_uid=f"{uid}-{m2m.name}")
