"""An exercise's ordered media (images, videos with a poster), each with its credit and licence.

The files themselves are made by exercises/renditions.py; a row holds the master's name, size
and hash, from which every rendition's name follows (docs/media.md).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .. import renditions
from ..text import validate_plain_text
from .content import exercise_link


@dataclass(frozen=True)
class Licence:
    label: str
    url: str  # "" when there is no public licence text


class MediaLicence(models.TextChoices):
    CC0 = "cc0", "CC0 1.0 (public domain)"
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    OWN = "own", "Our own (all rights reserved)"
    PERMISSION = "permission", "Used with permission"


LICENCES = {
    MediaLicence.CC0: Licence("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    MediaLicence.CC_BY: Licence("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    MediaLicence.CC_BY_SA: Licence(
        "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"
    ),
    MediaLicence.OWN: Licence("all rights reserved", ""),
    MediaLicence.PERMISSION: Licence("used with permission", ""),
}


class Credited(models.Model):
    """Who made something, under which licence, and where it comes from."""

    creator = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text="Who made it, as the credit should name them (a person or an organisation). "
        "Required unless it is our own.",
    )
    creator_is_organization = models.BooleanField(
        "creator is an organisation",
        default=False,
        help_text="Tick when the creator is an organisation or a project (Everkinetic is one), "
        "not a person: search engines are told which.",
    )
    licence = models.CharField(
        max_length=20,
        choices=MediaLicence,
        help_text="The terms we use it under. Creative Commons works are credited and linked "
        "to their licence on the page.",
    )
    source_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Where it was published (the page to credit), if anywhere.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.licence and self.licence != MediaLicence.OWN and not self.creator.strip():
            raise ValidationError({"creator": "Name who made it: the credit needs it."})

    @property
    def credited_creator(self):
        return self.creator.strip() or settings.SITE_NAME

    @property
    def creator_schema_type(self):
        """The creator's schema.org type: our own work is the site's organisation's."""
        if self.licence == MediaLicence.OWN or self.creator_is_organization:
            return "Organization"
        return "Person"

    @property
    def licence_label(self):
        return LICENCES[self.licence].label

    @property
    def licence_url(self):
        return LICENCES[self.licence].url

    @property
    def credit_text(self):
        """The credit as plain text, e.g. “Everkinetic, CC BY-SA 4.0”."""
        if self.licence == MediaLicence.OWN:
            return f"© {self.credited_creator}"
        return f"{self.credited_creator}, {self.licence_label}"


class ExerciseMedia(Credited):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    exercise = exercise_link("media")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Display order; the first is the page's main image."
    )
    kind = models.CharField(max_length=5, choices=Kind, default=Kind.IMAGE, editable=False)
    # The cleaned master image (for a video, its poster); renditions are named after its hash.
    image = models.FileField(max_length=200, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    content_hash = models.CharField(max_length=24, editable=False, db_index=True)
    video = models.FileField(max_length=200, blank=True, editable=False)
    alt_text = models.CharField(
        max_length=300,
        validators=[validate_plain_text],
        help_text="What the picture shows, for someone who cannot see it: the position and "
        "what the body does (“Lying on a bench, the barbell lowered to the chest”). Not the "
        "exercise's name alone.",
    )
    caption = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text="Shown under it, e.g. “Start position”.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "image or video"
        verbose_name_plural = "images and videos"
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="media_alt_text_not_empty"),
            models.CheckConstraint(
                condition=Q(kind="image", video="") | Q(kind="video") & ~Q(video=""),
                name="media_video_has_file",
            ),
            models.CheckConstraint(
                condition=Q(licence__in=MediaLicence.values), name="media_licence_valid"
            ),
        ]
        indexes = [models.Index(fields=["exercise", "position"], name="media_exercise_order")]

    def __str__(self):
        return self.caption or self.alt_text

    def save(self, *args, **kwargs):
        # Files first: a row is never saved pointing at a file that was not written. A file
        # written for a save that then fails is harmless (nothing names it; prune_media).
        pending = getattr(self, "_pending_files", None)
        if pending:
            renditions.store(pending)
            self._pending_files = None
        super().save(*args, **kwargs)

    def set_image(self, master):
        """Use a checked `renditions.Master` as the image (or the video's poster)."""
        self._pending_files = {**(getattr(self, "_pending_files", None) or {})}
        names = renditions.names(master.content_hash, master.width)
        made = [*names["webp"].values(), names["fallback"], names["thumb"], names["social"]]
        master_file = renditions.master_name(master.content_hash, master.extension)
        if not all(default_storage.exists(name) for name in [master_file, *made]):
            # Made once: the same image again (a restored backup) finds them stored.
            self._pending_files |= renditions.make_renditions(master)
        self.image.name = renditions.master_name(master.content_hash, master.extension)
        self.width, self.height = master.width, master.height
        self.content_hash = master.content_hash

    def set_video(self, video):
        """Use a checked `renditions.Video`; its poster is set with set_image()."""
        name = renditions.video_name(video.content_hash, video.extension)
        self._pending_files = {**(getattr(self, "_pending_files", None) or {}), name: video.data}
        self.video.name = name
        self.kind = self.Kind.VIDEO

    def clear_video(self):
        self.video.name = ""
        self.kind = self.Kind.IMAGE

    @property
    def is_video(self):
        return self.kind == self.Kind.VIDEO

    @property
    def files(self):
        return renditions.names(self.content_hash, self.width)

    def srcset(self):
        """The WebP widths as a srcset."""
        return ", ".join(f"{url(name)} {width}w" for width, name in self.files["webp"].items())

    @property
    def fallback_url(self):
        return url(self.files["fallback"])

    @property
    def fallback_size(self):
        width = renditions.fallback_width(self.width)
        return width, renditions.scaled_height(self.width, self.height, width)

    @property
    def largest_url(self):
        """The largest WebP rendition: what JSON-LD and the Markdown copy link to."""
        return url(list(self.files["webp"].values())[-1])

    @property
    def largest_size(self):
        width = list(self.files["webp"])[-1]
        return width, renditions.scaled_height(self.width, self.height, width)

    @property
    def largest_absolute_url(self):
        return absolute(self.largest_url)

    @property
    def social_absolute_url(self):
        return absolute(self.social_url)

    @property
    def thumb_url(self):
        return url(self.files["thumb"])

    @property
    def social_url(self):
        return url(self.files["social"])

    @property
    def video_url(self):
        return url(self.video.name) if self.video else ""

    @property
    def video_absolute_url(self):
        return absolute(self.video_url) if self.video else ""

    @property
    def video_type(self):
        return "video/webm" if self.video.name.endswith(".webm") else "video/mp4"

    def stored_names(self):
        """Every file this row needs, for checks and for pruning unused files."""
        files = self.files
        names = [self.image.name, *files["webp"].values(), files["fallback"], files["thumb"]]
        names.append(files["social"])
        return names + ([self.video.name] if self.video else [])


class ExerciseTextCredit(Credited):
    """Where an exercise's text comes from, when it is not ours: credited on its page and in
    its Markdown copy (e.g. the Everkinetic exercises, CC BY-SA 4.0)."""

    exercise = models.OneToOneField(
        "exercises.Exercise", on_delete=models.CASCADE, related_name="text_credit"
    )

    class Meta:
        verbose_name = "text credit"
        constraints = [
            models.CheckConstraint(
                condition=Q(licence__in=MediaLicence.values), name="text_credit_licence_valid"
            )
        ]

    def __str__(self):
        return self.credit_text


def url(name):
    return default_storage.url(name)


def absolute(address):
    """An absolute URL: storage URLs are site-relative locally, absolute on a CDN or bucket."""
    if address.startswith(("https://", "http://")):
        return address
    return f"{settings.SITE_URL}{address}"


def thumbnail_url(content_hash):
    """The card thumbnail's address from the first media's hash alone (see for_listing)."""
    if not content_hash:
        return ""
    return url(renditions.thumb_name(content_hash))


def prefetch_media(exercises):
    """Fill `exercise.media.all()` of the exercises with one query."""
    if not exercises:
        return
    by_pk = {exercise.pk: exercise for exercise in exercises}
    items = {pk: [] for pk in by_pk}
    for item in ExerciseMedia.objects.filter(exercise_id__in=by_pk):
        item._meta.get_field("exercise").set_cached_value(item, by_pk[item.exercise_id])
        items[item.exercise_id].append(item)
    for pk, exercise in by_pk.items():
        queryset = exercise.media.all()
        queryset._result_cache, queryset._prefetch_done = items[pk], True
        exercise.__dict__.setdefault("_prefetched_objects_cache", {})["media"] = queryset


@receiver(post_save, sender=ExerciseMedia)
@receiver(post_delete, sender=ExerciseMedia)
@receiver(post_save, sender=ExerciseTextCredit)
@receiver(post_delete, sender=ExerciseTextCredit)
def touch_exercise(sender, instance, **kwargs):
    """A media change is an edit of its exercise: its Last-Modified, ETag and sitemap lastmod
    move (conditional.py reads the exercise's `updated`)."""
    Exercise = instance._meta.get_field("exercise").related_model
    Exercise.objects.filter(pk=instance.exercise_id).update(updated=timezone.now())
