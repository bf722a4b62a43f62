"""The media part of the library format: each exercise's images and videos, and its text credit.

An export writes the files beside the JSON file, in a `media/` folder, under their
content-hashed names; a record names its files relative to the JSON file
(`"file": "media/<hash>.png"`). An import reads them from there, checks them like an upload and
makes the renditions (docs/library-format.md).
"""

import shutil
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from .. import renditions
from ..models import ExerciseMedia, ExerciseTextCredit

FOLDER = "media"
MEDIA_FIELDS = (
    "file",
    "video",
    "alt_text",
    "caption",
    "creator",
    "creator_is_organization",
    "licence",
    "source_url",
)
CREDIT_FIELDS = ("creator", "creator_is_organization", "licence", "source_url")
# The one field that is not a string: true or false, written only when true (so that files
# from before it read and export alike).
FLAG = "creator_is_organization"


def file_entry(name):
    return f"{FOLDER}/{PurePosixPath(name).name}"


def media_records(exercise):
    """The exercise's media as the file writes them (expects them prefetched)."""
    records = []
    for item in exercise.media.all():
        record = {"file": file_entry(item.image.name)}
        if item.video:
            record["video"] = file_entry(item.video.name)
        record |= credit_fields(item, ("alt_text", "caption", *CREDIT_FIELDS))
        records.append(record)
    return records


def text_credit_record(exercise):
    credit = getattr(exercise, "text_credit", None)
    if credit is None:
        return None
    return credit_fields(credit, CREDIT_FIELDS)


def credit_fields(row, names):
    """The row's fields as the file writes them: the flag only when it is set."""
    return {name: getattr(row, name) for name in names if name != FLAG or getattr(row, name)}


def add_to_record(record, exercise):
    """Add `media` and `text_credit` to an exercise record, only when it has them (so that a
    library without media exports as before)."""
    media = media_records(exercise)
    if media:
        record["media"] = media
    credit = text_credit_record(exercise)
    if credit:
        record["text_credit"] = credit
    return record


def comparable(record):
    """A record with empty media and text credit left out, as an export writes it."""
    return {
        key: value
        for key, value in record.items()
        if not (key == "media" and not value) and not (key == "text_credit" and value is None)
    }


def export_files(directory):
    """Copy every file the library's media name into `directory`/media; return how many."""
    target = Path(directory) / FOLDER
    names = set(ExerciseMedia.objects.values_list("image", flat=True))
    names |= set(ExerciseMedia.objects.exclude(video="").values_list("video", flat=True))
    if names:
        target.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        destination = target / PurePosixPath(name).name
        if not destination.exists():
            with default_storage.open(name, "rb") as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)
    return len(names)


def check(data, where, media_dir, errors, *, read_files):
    """Check the record's `media` and `text_credit`; with `read_files`, read and clean the
    files too. Returns (media rows to write, text credit or None), or None on a problem."""
    before = len(errors)
    rows = []
    for index, entry in enumerate(data.get("media") or []):
        at = f"{where}: media[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{at} must be an object")
            continue
        unknown = sorted(set(entry) - set(MEDIA_FIELDS))
        if unknown:
            errors.append(f'{at}: unknown field "{unknown[0]}"')
            continue
        if not all(isinstance(entry.get(key, ""), str) for key in MEDIA_FIELDS if key != FLAG):
            errors.append(f"{at}: every field is a string")
            continue
        if not isinstance(entry.get(FLAG, False), bool):
            errors.append(f"{at}: {FLAG} is true or false")
            continue
        item = ExerciseMedia(
            alt_text=entry.get("alt_text", ""),
            caption=entry.get("caption", ""),
            creator=entry.get("creator", ""),
            creator_is_organization=entry.get(FLAG, False),
            licence=entry.get("licence", ""),
            source_url=entry.get("source_url", ""),
        )
        try:
            item.full_clean(
                exclude=["exercise", "image", "width", "height", "content_hash", "video"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.append(f"{at}: {name}: {' '.join(messages)}")
            continue
        files = {}
        for key in ("file", "video"):
            if key not in entry:
                continue
            path = resolve(entry[key], media_dir)
            if path is None:
                errors.append(f'{at}: {key} "{entry[key]}" is not a file in the {FOLDER} folder')
                continue
            files[key] = path
        if "file" not in entry:
            errors.append(f"{at}: file is required")
        if len(files) != len([key for key in ("file", "video") if key in entry]):
            continue
        if read_files:
            try:
                item.set_image(renditions.clean_image(files["file"].read_bytes()))
                if "video" in files:
                    item.set_video(renditions.clean_video(files["video"].read_bytes()))
            except ValidationError as error:
                errors.append(f"{at}: {' '.join(error.messages)}")
                continue
        rows.append(item)
    credit = None
    if data.get("text_credit") is not None:
        entry = data["text_credit"]
        if not isinstance(entry, dict) or set(entry) - set(CREDIT_FIELDS):
            errors.append(f"{where}: text_credit has the fields {', '.join(CREDIT_FIELDS)}")
        else:
            credit = ExerciseTextCredit(
                **{key: entry.get(key, False if key == FLAG else "") for key in CREDIT_FIELDS}
            )
            try:
                credit.full_clean(exclude=["exercise"], validate_unique=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.append(f"{where}: text_credit.{name}: {' '.join(messages)}")
    return (rows, credit) if len(errors) == before else None


def resolve(entry, media_dir):
    """The file a record names, inside the media folder only (no other path is read)."""
    parts = PurePosixPath(entry).parts
    if media_dir is None or len(parts) != 2 or parts[0] != FOLDER or parts[1] in ("", ".", ".."):
        return None
    path = Path(media_dir) / FOLDER / parts[1]
    return path if path.is_file() else None


def write(exercises):
    """Replace the media and text credit of the imported exercises with the checked ones."""
    ids = [exercise.pk for exercise, _ in exercises]
    ExerciseMedia.objects.filter(exercise_id__in=ids).delete()
    ExerciseTextCredit.objects.filter(exercise_id__in=ids).delete()
    for exercise, (rows, credit) in exercises:
        for position, item in enumerate(rows, start=1):
            item.exercise, item.position = exercise, position
            item.save()
        if credit is not None:
            credit.exercise = exercise
            credit.save()
