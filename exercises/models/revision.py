"""The library's content version: what the page cache and every ETag are checked against."""

from django.db import models


class ContentRevision(models.Model):
    """One row whose token any change visitors can see replaces, in the change's transaction.

    Kept in the database rather than in the cache, so that no cache restore, eviction or
    failover can make pages cached before the last edit look current again.
    """

    token = models.CharField(max_length=32)
    changed = models.DateTimeField()

    class Meta:
        verbose_name = "content revision"

    def __str__(self):
        return f"{self.token} ({self.changed:%Y-%m-%d %H:%M:%S})"
