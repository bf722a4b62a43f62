"""The exercise form's images and videos: upload, credit, order by dragging, preview."""

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from . import renditions
from .admin_forms import PositionedInlineFormSet
from .admin_ordering import STACKED_TEMPLATE, OrderedInlineMixin
from .models import ExerciseMedia, ExerciseTextCredit

IMAGE_HELP = (
    f"A JPEG, PNG, WebP or SVG image of at most {renditions.IMAGE_MAX_BYTES // renditions.MB} "
    "MB (for a video: its poster, the picture shown before it plays). Location and camera "
    "data are removed; SVG drawings are turned into pictures."
)
VIDEO_HELP = (
    f"Optional: an MP4 or WebM video of at most {renditions.VIDEO_MAX_BYTES // renditions.MB} "
    "MB, shown with controls and never playing by itself. Upload its poster as the image."
)


class SortableMediaAdminBase(SortableAdminBase):
    """django-admin-sortable2 for the exercise form. Its 2.3.1 replaces the admin's actions
    script with one named after Django's version, and has none for 6.1 yet: 6.0's works."""

    @property
    def media(self):
        media = super().media
        # Django 6.1 lists Script objects, older versions plain strings. The Script's raw
        # name, not its `path`: that asks the manifest storage for the missing 6.1 file and
        # fails (a 500 on every exercise form in production).
        js = [
            "adminsortable2/js/actions-6.0.js"
            if str(getattr(script, "_path", script)).endswith("actions-6.1.js")
            else script
            for script in media._js
        ]
        return forms.Media(css=media._css, js=js)


class MediaForm(forms.ModelForm):
    """Checks the uploads by their content; the files are written only when the whole
    exercise form is valid and saved (ExerciseMedia.save)."""

    upload = forms.FileField(
        label="Image", required=False, help_text=IMAGE_HELP, widget=forms.ClearableFileInput
    )
    video_upload = forms.FileField(label="Video", required=False, help_text=VIDEO_HELP)
    remove_video = forms.BooleanField(
        label="Remove the video (keep the poster as an image)", required=False
    )

    class Meta:
        model = ExerciseMedia
        fields = [
            "alt_text",
            "caption",
            "creator",
            "creator_is_organization",
            "licence",
            "source_url",
            "position",
        ]
        widgets = {"alt_text": forms.TextInput(attrs={"size": 80})}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        return renditions.clean_image(renditions.read_upload(upload, renditions.IMAGE_MAX_BYTES))

    def clean_video_upload(self):
        upload = self.cleaned_data.get("video_upload")
        if not upload:
            return None
        return renditions.clean_video(renditions.read_upload(upload, renditions.VIDEO_MAX_BYTES))

    def clean(self):
        cleaned = super().clean()
        if (
            not self.instance.content_hash
            and not cleaned.get("upload")
            and "upload" not in (self.errors)
        ):
            self.add_error(
                "upload",
                ValidationError(
                    "Choose an image (for a video, its poster image).", code="required"
                ),
            )
        return cleaned

    def save(self, commit=True):
        media = super().save(commit=False)
        if self.cleaned_data.get("upload"):
            media.set_image(self.cleaned_data["upload"])
        if self.cleaned_data.get("video_upload"):
            media.set_video(self.cleaned_data["video_upload"])
        elif self.cleaned_data.get("remove_video"):
            media.clear_video()
        if commit:
            media.save()
        return media


class MediaInline(OrderedInlineMixin, admin.StackedInline):
    """Drag a row by its handle, move it with its buttons or renumber it to reorder."""

    model = ExerciseMedia
    form = MediaForm
    formset = PositionedInlineFormSet
    order_noun = "image"
    extra = 0
    template = STACKED_TEMPLATE
    fields = [
        "preview",
        "upload",
        "video_upload",
        "remove_video",
        "alt_text",
        "caption",
        ("creator", "creator_is_organization", "licence"),
        "source_url",
        "credit",
        "position",
    ]
    readonly_fields = ["preview", "credit"]

    class Media:
        css = {"all": ["exercises/admin.css"]}

    @admin.display(description="Now")
    def preview(self, obj):
        if not obj or not obj.content_hash:
            return "Nothing uploaded yet."
        kind = "Video, poster:" if obj.is_video else ""
        return format_html(
            '{} <img class="media-preview" src="{}" width="{}" height="{}" alt="{}"> '
            "<span>{}×{} pixels</span>",
            kind,
            obj.thumb_url,
            renditions.THUMB_SIZE // 2,
            renditions.THUMB_SIZE // 2,
            obj.alt_text,
            obj.width,
            obj.height,
        )

    @admin.display(description="Credit shown")
    def credit(self, obj):
        if not obj or not obj.licence:
            return "Written from the creator and licence once you save."
        return obj.credit_text


class TextCreditInline(admin.StackedInline):
    """Credit for text taken from elsewhere (steps, tips); shown on the page when filled in."""

    model = ExerciseTextCredit
    extra = 0
    max_num = 1
    fields = [("creator", "creator_is_organization", "licence"), "source_url"]
    verbose_name_plural = "Text credit (only when the text comes from elsewhere)"
