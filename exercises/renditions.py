"""Checking uploaded media and making its renditions, once, with Pillow (see docs/media.md).

An upload is recognised by its content, never its name. An image becomes a clean *master*
(orientation applied, EXIF and other metadata dropped; an SVG drawing rasterised, so no SVG is
ever served), and the master gives every rendition the pages use: WebP at several widths, a
JPEG fallback, a square card thumbnail and a 1200×630 social image. Every file name carries a
hash of the master, so a file never changes once written and can be cached forever.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
VIDEO_MAX_BYTES = 100 * MB
# Pillow refuses larger images itself (DecompressionBombError at twice this); we refuse from
# this size on, before decoding, with a message a trainer understands.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Longest side / shortest side: a strip this thin is not a picture of an exercise.
MAX_ASPECT_RATIO = 5
# SVG drawings are rasterised at this width: sharp in a 480 CSS-pixel column on 2× screens.
SVG_RASTER_WIDTH = 960
# Renditions: WebP at each width up to the master's own, a JPEG fallback, the card thumbnail
# (shown at 80 CSS pixels, made for 2× screens) and the Open Graph image.
WIDTHS = (320, 640, 960, 1280)
FALLBACK_WIDTH = 960
THUMB_SIZE = 160
SOCIAL_SIZE = (1200, 630)
BACKGROUND = (255, 255, 255)
# Bump when the renditions change (sizes, quality): every name changes with it.
RENDITION_VERSION = b"1"
PREFIX = "exercise-media"
# Image.info keys that carry nothing about the photographer or the place.
HARMLESS_INFO = {
    "dpi",
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "progressive",
    "progression",
    "icc_profile",
    "transparency",
    "gamma",
    "adobe",
    "adobe_transform",
    "srgb",
    "chromaticity",
    "loop",
    "background",
    "duration",
    "timestamp",
    "aspect",
}
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ACCEPTED_IMAGES = "JPEG, PNG, WebP or SVG"


@dataclass(frozen=True)
class Master:
    """A checked, cleaned image: its bytes, file extension and size in pixels."""

    data: bytes
    extension: str
    width: int
    height: int

    @property
    def content_hash(self):
        return hashlib.sha256(RENDITION_VERSION + self.data).hexdigest()[:24]


@dataclass(frozen=True)
class Video:
    data: bytes
    extension: str

    @property
    def content_hash(self):
        return hashlib.sha256(self.data).hexdigest()[:24]


def read_upload(upload, limit):
    """The bytes of an uploaded file, refusing it past `limit` without reading it all."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large(size, limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(len(data), limit)
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    return data


def too_large(size, limit):
    return ValidationError(
        f"The file is {size / MB:.1f} MB; the limit is {limit // MB} MB.", code="too_large"
    )


def looks_like_svg(data):
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        head.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg"))
        and b"<svg" in data[:4096].lower()
    )


def rasterise_svg(data):
    """PNG bytes of an SVG drawing, on white. External files and entities are refused
    (cairosvg's safe mode), and the size is fixed by us, not by the file."""
    import cairosvg  # imported here: only SVG uploads need cairo

    try:
        return cairosvg.svg2png(
            bytestring=data, output_width=SVG_RASTER_WIDTH, background_color="white"
        )
    except Exception as error:  # cairosvg raises many kinds for a broken or hostile file
        raise ValidationError(
            f"This SVG file cannot be read ({type(error).__name__}); export it again as plain "
            "SVG, or upload a PNG.",
            code="broken",
        ) from None


def open_image(data):
    """The decoded image; refuses other formats, bombs, animations and damaged files."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            image = None
        except OSError:
            image = None
        if image is None or image.format not in FORMATS:
            kind = f"a {image.format} image" if image is not None else "not an image we can read"
            raise ValidationError(
                f"This file is {kind}: upload a {ACCEPTED_IMAGES} image.", code="type"
            )
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValidationError(
                f"The image is {width}×{height} pixels; the limit is "
                f"{MAX_PIXELS // 1_000_000} megapixels. Scale it down first.",
                code="too_many_pixels",
            )
        if getattr(image, "n_frames", 1) > 1:
            raise ValidationError(
                "Animated images are not accepted: upload a still image, or a video.",
                code="animated",
            )
        if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
            raise ValidationError(
                f"The image is {width}×{height} pixels: too narrow to show well.", code="aspect"
            )
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
            raise ValidationError(
                "The image is damaged (it cannot be decoded to the end).", code="broken"
            ) from None
    return image


def clean_image(data):
    """Check an uploaded image and return its Master. Raises ValidationError with a message
    for the trainer."""
    from_svg = looks_like_svg(data)
    if from_svg:
        data = rasterise_svg(data)
    image = open_image(data)
    extension = FORMATS[image.format]
    oriented = ImageOps.exif_transpose(image)
    has_metadata = bool(image.getexif()) or bool(set(image.info) - HARMLESS_INFO)
    if from_svg:
        data = encode(grey_if_possible(oriented), "PNG")
    elif has_metadata or oriented is not image:
        # Written again from the pixels: nothing of the original's metadata comes along.
        data = encode(oriented, image.format, icc_profile=image.info.get("icc_profile"))
    return Master(data, extension, *oriented.size)


def grey_if_possible(image):
    """A drawing in shades of grey as a one-channel image: a third of the bytes."""
    rgb = image.convert("RGB")
    grey = rgb.convert("L")
    return grey if grey.convert("RGB").tobytes() == rgb.tobytes() else rgb


def encode(image, format, **options):
    output = io.BytesIO()
    options = {key: value for key, value in options.items() if value is not None}
    if format == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L", "CMYK") else image
        image.save(output, "JPEG", quality=90, optimize=True, **options)
    elif format == "PNG":
        image.save(output, "PNG", **options)
    else:
        image.save(output, "WEBP", quality=90, method=4, **options)
    return output.getvalue()


def clean_video(data):
    """Check an uploaded video: MP4 or WebM, by content."""
    if data[4:8] == b"ftyp":
        return Video(data, "mp4")
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]:
        return Video(data, "webm")
    raise ValidationError("This file is not an MP4 or WebM video.", code="type")


def rendition_widths(width):
    """The WebP widths made for an image this wide: the standard ones below it, and its own
    width when it is narrower than the largest."""
    widths = [w for w in WIDTHS if w < width]
    return [*widths, min(width, WIDTHS[-1])]


def scaled_height(width, height, new_width):
    return max(1, round(height * new_width / width))


def fallback_width(width):
    return min(width, FALLBACK_WIDTH)


def names(content_hash, width):
    """Every file name of one image's renditions, from its hash and width alone."""
    base = f"{PREFIX}/{content_hash[:2]}/{content_hash}"
    return {
        "webp": {w: f"{base}-{w}w.webp" for w in rendition_widths(width)},
        "fallback": f"{base}-{fallback_width(width)}w.jpg",
        "thumb": thumb_name(content_hash),
        "social": f"{base}-social.jpg",
    }


def thumb_name(content_hash):
    """The card thumbnail's name: the hash alone gives it, so cards need no width."""
    return f"{PREFIX}/{content_hash[:2]}/{content_hash}-thumb.webp"


def master_name(content_hash, extension):
    return f"{PREFIX}/{content_hash[:2]}/{content_hash}.{extension}"


def video_name(content_hash, extension):
    return f"{PREFIX}/video/{content_hash}.{extension}"


def flatten(image):
    """The image in RGB on a white background (transparent drawings stay readable)."""
    image = image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image
    if image.mode == "RGBA":
        canvas = Image.new("RGB", image.size, BACKGROUND)
        canvas.paste(image, mask=image.getchannel("A"))
        return canvas
    return image.convert("RGB")


def make_renditions(master):
    """{file name: bytes} of the master and all its renditions."""
    with Image.open(io.BytesIO(master.data)) as source:
        image = flatten(source)
    width, height = image.size
    files = names(master.content_hash, width)
    output = {master_name(master.content_hash, master.extension): master.data}
    for w, name in files["webp"].items():
        output[name] = save(resize(image, w), "WEBP", quality=80, method=3)
    fallback = resize(image, fallback_width(width))
    output[files["fallback"]] = save(fallback, "JPEG", quality=82, optimize=True, progressive=True)
    thumb = ImageOps.pad(image, (THUMB_SIZE, THUMB_SIZE), color=BACKGROUND)
    output[files["thumb"]] = save(thumb, "WEBP", quality=80, method=3)
    social = ImageOps.pad(image, SOCIAL_SIZE, color=BACKGROUND)
    output[files["social"]] = save(social, "JPEG", quality=85, optimize=True, progressive=True)
    return output


def resize(image, width):
    if width == image.width:
        return image
    height = scaled_height(image.width, image.height, width)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def save(image, format, **options):
    output = io.BytesIO()
    image.save(output, format, **options)
    return output.getvalue()


def store(files, storage=None):
    """Write the files that the storage lacks. A name is a content hash: an existing file
    already holds these bytes, so it is never written twice or overwritten."""
    storage = storage or default_storage
    for name, data in files.items():
        if storage.exists(name):
            continue
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # another process wrote it in the meantime: ours is a copy
            storage.delete(saved)
