"""Exercise media: checked uploads, renditions, credits and licences on every page that shows them.

Images are tiny and generated here; the files go to a temporary MEDIA_ROOT.
"""

import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image
from test_admin import change_url, existing_rows, rows

from exercises import renditions
from exercises.models import Exercise, ExerciseMedia, ExerciseTextCredit

CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="120" height="100" viewBox="0 0 120 100">
<script>alert(1)</script><rect x="10" y="10" width="50" height="40" fill="#333"/>
<image href="file:///etc/passwd" width="10" height="10"/></svg>"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(size=(40, 30), format="PNG", color=(200, 30, 30), **options):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format, **options)
    return output.getvalue()


def add_media(exercise, data=None, *, alt="Lying on a bench, arms straight", **fields):
    item = ExerciseMedia(
        exercise=exercise,
        alt_text=alt,
        creator=fields.pop("creator", "Everkinetic"),
        licence=fields.pop("licence", "cc-by-sa-4.0"),
        **fields,
    )
    item.set_image(renditions.clean_image(data or image_bytes()))
    item.save()
    return item


def page(client, exercise):
    response = client.get(exercise.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup):
    graph = json.loads(soup.find("script", type="application/ld+json").string)["@graph"]
    return graph


# Uploads and renditions


def test_exif_is_stripped_and_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    exif[0x010F] = "Phone maker"
    master = renditions.clean_image(image_bytes((40, 30), "JPEG", exif=exif.tobytes()))
    image = Image.open(io.BytesIO(master.data))
    assert (master.width, master.height) == image.size == (30, 40)
    assert not image.getexif()
    assert b"Phone maker" not in master.data
    # Cleaning a clean image keeps its bytes: an export imports back unchanged.
    assert renditions.clean_image(master.data).data == master.data


def test_renditions_are_made_once_with_content_hashed_names(spine_stretch):
    item = add_media(spine_stretch, image_bytes((1000, 800)))
    files = item.files
    assert list(files["webp"]) == [320, 640, 960, 1000]  # and its own width, under 1280
    for name in item.stored_names():
        assert item.content_hash in name
        assert default_storage.exists(name), name
    with default_storage.open(files["social"]) as social:
        assert Image.open(social).size == (1200, 630)
    with default_storage.open(files["thumb"]) as thumb:
        assert Image.open(thumb).size == (160, 160)
    with default_storage.open(files["webp"][640]) as webp:
        image = Image.open(webp)
        assert (image.format, image.size) == ("WEBP", (640, 512))
    with default_storage.open(files["fallback"]) as fallback:
        assert Image.open(fallback).format == "JPEG"


def test_svg_drawings_are_rasterised_never_stored_as_svg(spine_stretch, media_root):
    item = add_media(spine_stretch, SVG)
    assert item.image.name.endswith(".png")
    assert (item.width, item.height) == (renditions.SVG_RASTER_WIDTH, 800)
    stored = [path.name for path in media_root.rglob("*") if path.is_file()]
    assert stored and not [name for name in stored if name.endswith(".svg")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 this is a program, renamed", "not an image we can read"),
        (image_bytes(format="GIF"), "a GIF image"),
        (image_bytes((400, 300))[:300], "damaged"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "SVG file cannot be read"),
        (image_bytes((500, 20)), "too narrow"),
    ],
    ids=["renamed program", "gif", "truncated", "broken svg", "strip"],
)
def test_bad_images_are_refused_with_a_clear_message(data, message):
    with pytest.raises(Exception) as error:
        renditions.clean_image(data)
    assert message in " ".join(error.value.messages)


def test_decompression_bombs_are_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(renditions, "MAX_PIXELS", 1000)
    with pytest.raises(Exception) as error:
        renditions.clean_image(image_bytes((100, 100)))
    assert "megapixels" in " ".join(error.value.messages)
    # Pillow's own limit is set too, for anything that opens an image elsewhere.
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


def test_videos_are_recognised_by_content():
    assert renditions.clean_video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32).extension == "mp4"
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"
    assert renditions.clean_video(webm).extension == "webm"
    with pytest.raises(Exception, match="not an MP4 or WebM"):
        renditions.clean_video(image_bytes())


# The admin


def media_post(exercise, entries, initial=0):
    data = existing_rows(exercise)
    for key in [k for k in data if k.startswith("media-")]:
        del data[key]
    return data | rows("media", entries, initial=initial)


def upload(data=None, name="start.png"):
    return SimpleUploadedFile(name, data or image_bytes(), content_type="image/png")


def new_entry(exercise, **fields):
    return {
        "exercise": exercise.pk,
        "position": "1",
        "alt_text": "Seated, legs straight, reaching forward",
        "caption": "Start position",
        "creator": "Everkinetic",
        "licence": "cc-by-sa-4.0",
        "source_url": "https://github.com/everkinetic/data",
    } | fields


def post_files(admin_client, exercise, entries, files, initial=0):
    data = media_post(exercise, entries, initial)
    for index, file in files.items():
        data[f"media-{index}-upload"] = file
    return admin_client.post(change_url(exercise), data)


def test_a_trainer_uploads_credits_and_the_page_shows_it(admin_client, spine_stretch):
    response = post_files(admin_client, spine_stretch, [new_entry(spine_stretch)], {0: upload()})
    assert response.status_code == 302, response.context["errors"]
    item = spine_stretch.media.get()
    assert item.credit_text == "Everkinetic, CC BY-SA 4.0"
    # The change form shows a thumbnail of what is stored.
    form = admin_client.get(change_url(spine_stretch)).content.decode()
    assert f'src="{item.thumb_url}"' in form
    assert "Everkinetic, CC BY-SA 4.0" in form


@pytest.mark.parametrize(
    ("file", "fields", "message"),
    [
        (upload(b"just text", "renamed.jpg"), {}, "not an image we can read"),
        (upload(image_bytes(format="GIF"), "anim.gif"), {}, "a GIF image"),
        (None, {}, "Choose an image"),
        (upload(), {"alt_text": ""}, "This field is required"),
        (upload(), {"creator": ""}, "Name who made it"),
        (upload(), {"licence": "mit"}, "Select a valid choice"),
    ],
    ids=["renamed", "gif", "no file", "no alt text", "no creator", "bad licence"],
)
def test_bad_uploads_get_a_form_error_and_nothing_is_saved(
    admin_client, spine_stretch, media_root, file, fields, message
):
    before = spine_stretch.version
    response = post_files(
        admin_client,
        spine_stretch,
        [new_entry(spine_stretch, **fields)],
        {0: file} if file else {},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExerciseMedia.objects.exists()
    assert Exercise.objects.get(pk=spine_stretch.pk).version == before
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_an_upload_over_the_limit_is_refused(admin_client, spine_stretch, monkeypatch):
    monkeypatch.setattr(renditions, "IMAGE_MAX_BYTES", 100)
    response = post_files(admin_client, spine_stretch, [new_entry(spine_stretch)], {0: upload()})
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not ExerciseMedia.objects.exists()


def test_reorder_and_delete_in_the_admin_show_on_the_next_request(
    admin_client, client, spine_stretch
):
    first = add_media(spine_stretch, image_bytes(color=(1, 1, 1)), alt="First drawing", position=1)
    second = add_media(
        spine_stretch, image_bytes(color=(2, 2, 2)), alt="Second drawing", position=2
    )
    assert [img["alt"] for img in page(client, spine_stretch).select(".exercise-media img")] == [
        "First drawing",
        "Second drawing",
    ]

    def entry(item, position, **extra):
        return (
            new_entry(spine_stretch, id=item.pk, position=position, alt_text=item.alt_text) | extra
        )

    response = post_files(
        admin_client, spine_stretch, [entry(first, 2), entry(second, 1)], {}, initial=2
    )
    assert response.status_code == 302, response.context["errors"]
    spine_stretch.refresh_from_db()
    alts = [img["alt"] for img in page(client, spine_stretch).select(".exercise-media img")]
    assert alts == ["Second drawing", "First drawing"]

    response = post_files(
        admin_client,
        spine_stretch,
        [entry(first, 2, DELETE="on"), entry(second, 1)],
        {},
        initial=2,
    )
    assert response.status_code == 302, response.context["errors"]
    alts = [img["alt"] for img in page(client, spine_stretch).select(".exercise-media img")]
    assert alts == ["Second drawing"]


# Public pages


def test_exercise_page_shows_media_with_dimensions_srcset_and_credit(client, spine_stretch):
    add_media(
        spine_stretch,
        image_bytes((1000, 800)),
        alt="Seated, reaching for the toes",
        caption="Start position",
        source_url="https://github.com/everkinetic/data",
        position=1,
    )
    add_media(spine_stretch, image_bytes((600, 600)), alt="Folded forward", position=2)
    soup = page(client, spine_stretch)
    figures = soup.select(".exercise-media figure")
    assert len(figures) == 2
    first, second = (figure.find("img") for figure in figures)
    assert first["alt"] == "Seated, reaching for the toes"
    assert (first["width"], first["height"]) == ("960", "768")
    assert first["fetchpriority"] == "high" and "loading" not in first.attrs
    assert second["loading"] == "lazy" and "fetchpriority" not in second.attrs
    source = figures[0].find("source")
    assert source["type"] == "image/webp"
    assert re.fullmatch(r"(\S+ \d+w, )+\S+ 1000w", source["srcset"])
    # Two items sit side by side in the 26rem column of a wide screen, and on a phone.
    assert source["sizes"] == "(min-width: 56rem) 12.5rem, calc(50vw - 2.5rem)"
    caption = figures[0].figcaption
    assert "Start position" in caption.text
    assert caption.find("a", string="Everkinetic")["href"] == "https://github.com/everkinetic/data"
    licence = caption.find("a", rel="license")
    assert (licence["href"], licence.text) == (CC_BY_SA, "CC BY-SA 4.0")
    # Media comes before the steps in the page (above them on a phone).
    text = str(soup.find("article"))
    assert text.index("exercise-media") < text.index('id="how-to"')


def test_a_video_has_controls_and_never_plays_by_itself(client, spine_stretch):
    item = add_media(spine_stretch, alt="The whole movement, filmed from the side")
    item.set_video(renditions.clean_video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32))
    item.save()
    video = page(client, spine_stretch).find("video")
    assert "controls" in video.attrs
    assert "autoplay" not in video.attrs
    assert video["poster"] == item.fallback_url
    assert video.find("source")["src"] == item.video_url
    graph = json_ld(page(client, spine_stretch))
    node = next(n for n in graph if n["@type"] == "VideoObject")
    assert node["contentUrl"].endswith(".mp4")
    assert node["thumbnailUrl"] and node["uploadDate"]


def test_og_image_is_the_exercise_social_rendition(client, spine_stretch, settings):
    default = page(client, spine_stretch).find("meta", property="og:image")["content"]
    assert default.endswith("/static/img/og-image.png")
    item = add_media(spine_stretch, alt="Seated, reaching for the toes")
    soup = page(client, spine_stretch)
    expected = f"{settings.SITE_URL}{item.social_url}"
    assert soup.find("meta", property="og:image")["content"] == expected
    assert soup.find("meta", attrs={"name": "twitter:image"})["content"] == expected
    assert soup.find("meta", property="og:image:alt")["content"] == item.alt_text
    assert client.get(item.social_url).status_code == 200


def test_json_ld_describes_each_image_and_its_licence(client, spine_stretch, settings):
    item = add_media(
        spine_stretch,
        image_bytes((700, 500)),
        caption="Start position",
        source_url="https://github.com/everkinetic/data",
    )
    graph = json_ld(page(client, spine_stretch))
    image = next(node for node in graph if node["@type"] == "ImageObject")
    assert image == {
        "@type": "ImageObject",
        "@id": f"{settings.SITE_URL}/exercise/spine-stretch#media-1",
        "contentUrl": f"{settings.SITE_URL}/media/{item.files['webp'][700]}",
        "width": 700,
        "height": 500,
        "caption": "Start position",
        "description": item.alt_text,
        "creator": {"@type": "Person", "name": "Everkinetic"},
        "creditText": "Everkinetic, CC BY-SA 4.0",
        "license": CC_BY_SA,
        "acquireLicensePage": "https://github.com/everkinetic/data",
    }
    web_page = next(node for node in graph if node["@type"] == "WebPage")
    assert web_page["primaryImageOfPage"] == {"@id": image["@id"]}


def test_an_organisation_is_credited_as_one(client, spine_stretch, tmp_path, media_root):
    """Everkinetic is a project, not a person: its JSON-LD creator is an Organization, and the
    library format keeps the flag (written only when it is set)."""
    add_media(spine_stretch, creator_is_organization=True)
    ExerciseTextCredit.objects.create(
        exercise=spine_stretch,
        creator="Everkinetic",
        creator_is_organization=True,
        licence="cc-by-sa-4.0",
    )
    graph = json_ld(page(client, spine_stretch))
    image = next(node for node in graph if node["@type"] == "ImageObject")
    assert image["creator"] == {"@type": "Organization", "name": "Everkinetic"}

    backup = tmp_path / "library.json"
    call_command("export_exercises", backup, verbosity=0)
    record = json.loads(backup.read_text(encoding="utf-8"))["exercises"][0]
    assert record["media"][0]["creator_is_organization"] is True
    assert record["text_credit"]["creator_is_organization"] is True
    spine_stretch.delete()
    call_command("import_exercises", backup, verbosity=0)
    restored = Exercise.objects.get(slug="spine-stretch")
    assert restored.media.get().creator_is_organization
    assert restored.text_credit.creator_is_organization


def test_sitemap_lists_each_exercise_page_images(client, spine_stretch, settings):
    item = add_media(spine_stretch)
    xml = client.get("/sitemap-exercises.xml").content.decode()
    assert 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"' in xml
    entry = re.search(r"<url><loc>[^<]*/exercise/spine-stretch</loc>.*?</url>", xml).group(0)
    assert f"<image:image><image:loc>{item.largest_absolute_url}</image:loc></image:image>" in entry


def test_markdown_copy_has_one_line_per_image(client, spine_stretch, settings):
    """A list of its own after the facts ("*" bullets: "-" would continue the facts list)."""
    before = client.get("/exercise/spine-stretch.md").content.decode()
    item = add_media(spine_stretch, alt="Seated [reaching]", caption="Start position")
    after = client.get("/exercise/spine-stretch.md").content.decode()
    line = (
        f"* ![Seated \\[reaching\\]]({item.largest_absolute_url}) Start position. Image: "
        f"Everkinetic, [CC BY-SA 4.0]({CC_BY_SA})\n"
    )
    facts_end = "- **Category:** Mobility\n"
    assert after == before.replace(facts_end, f"{facts_end}\n{line}")


def test_cards_show_a_thumbnail_or_a_placeholder(client, library):
    with_media = library["Deadlift"]
    item = add_media(with_media)
    soup = BeautifulSoup(client.get("/exercises/back").content, "html.parser")
    cards = {card.find("a").text: card for card in soup.select(".card")}
    thumb = cards["Deadlift"].find("img", class_="card__thumb")
    assert thumb["src"] == item.thumb_url
    assert (thumb["width"], thumb["height"], thumb["alt"], thumb["loading"]) == (
        "56",
        "56",
        "",
        "lazy",
    )
    assert cards["Superman"].find(class_="card__thumb--none") is not None
    assert cards["Superman"].find("img") is None


def test_media_files_are_served_in_development_cached_forever(client, spine_stretch):
    item = add_media(spine_stretch)
    response = client.get(item.thumb_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_public_pages_allow_images_and_video_from_the_site():
    from django.conf import settings

    assert settings.SECURE_CSP["media-src"] == ["'self'"]


# Storage configuration


def test_s3_storage_is_configured_from_the_environment(load_settings):
    names = load_settings(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="forge-media",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_S3_CUSTOM_DOMAIN="media.forge.example",
    )
    default = names["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "forge-media"
    assert default["OPTIONS"]["custom_domain"] == "media.forge.example"
    assert default["OPTIONS"]["querystring_auth"] is False
    assert "https://media.forge.example" in names["SECURE_CSP"]["img-src"]
    assert "https://media.forge.example" in names["SECURE_CSP"]["media-src"]


def test_s3_storage_needs_a_bucket(load_settings):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        load_settings(MEDIA_STORAGE="s3")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        load_settings(MEDIA_STORAGE="ftp")


def test_renditions_are_stored_in_an_s3_bucket(load_settings, monkeypatch):
    """The configured S3 storage really stores and names the files (moto stands in for S3)."""
    import boto3
    from moto import mock_aws
    from storages.backends.s3 import S3Storage

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    options = load_settings(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="forge-media",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_S3_CUSTOM_DOMAIN="media.forge.example",
    )["STORAGES"]["default"]["OPTIONS"]
    with mock_aws():
        boto3.client("s3", region_name="eu-central-1").create_bucket(
            Bucket="forge-media",
            CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
        )
        storage = S3Storage(**options)
        master = renditions.clean_image(image_bytes())
        files = renditions.make_renditions(master)
        renditions.store(files, storage)
        renditions.store(files, storage)  # already there: nothing is written twice
        name = renditions.thumb_name(master.content_hash)
        assert storage.exists(name)
        assert storage.url(name) == f"https://media.forge.example/{name}"
        head = boto3.client("s3").head_object(Bucket="forge-media", Key=name)
        assert head["CacheControl"] == "public, max-age=31536000, immutable"


# The library format


def test_export_import_export_is_byte_identical_with_media(spine_stretch, tmp_path, media_root):
    from django.core.management import call_command

    from exercises.models import (
        BodyPart,
        Category,
        Difficulty,
        Equipment,
        ExerciseSlug,
        ExerciseTextCredit,
        Muscle,
    )

    first = add_media(spine_stretch, image_bytes(color=(9, 9, 9)), caption="Start position")
    video = add_media(spine_stretch, image_bytes(color=(7, 7, 7)), alt="The whole movement")
    video.set_video(renditions.clean_video(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32))
    video.save()
    ExerciseTextCredit.objects.create(
        exercise=spine_stretch, creator="Everkinetic", licence="cc-by-sa-4.0"
    )
    backup = tmp_path / "backup" / "library.json"
    backup.parent.mkdir()
    call_command("export_exercises", backup, verbosity=0)
    exported = backup.read_text(encoding="utf-8")
    record = json.loads(exported)["exercises"][0]
    assert record["media"][0] == {
        "file": f"media/{first.content_hash}.png",
        "alt_text": first.alt_text,
        "caption": "Start position",
        "creator": "Everkinetic",
        "licence": "cc-by-sa-4.0",
        "source_url": "",
    }
    assert record["media"][1]["video"].endswith(".mp4")
    assert record["text_credit"] == {
        "creator": "Everkinetic",
        "licence": "cc-by-sa-4.0",
        "source_url": "",
    }
    files = sorted(path.name for path in (backup.parent / "media").iterdir())
    assert len(files) == 3  # two images (masters) and the video

    for model in (Exercise, ExerciseSlug, Muscle, BodyPart, Difficulty, Equipment, Category):
        model.objects.all().delete()
    import shutil

    shutil.rmtree(media_root)
    call_command("import_exercises", backup, verbosity=0)
    again = tmp_path / "again" / "library.json"
    again.parent.mkdir()
    call_command("export_exercises", again, verbosity=0)
    assert again.read_text(encoding="utf-8") == exported
    for name in files:
        assert (again.parent / "media" / name).read_bytes() == (
            backup.parent / "media" / name
        ).read_bytes()
    restored = Exercise.objects.get(slug="spine-stretch").media.first()
    assert default_storage.exists(restored.files["social"])
    # Importing the backup again changes nothing.
    call_command("import_exercises", backup, verbosity=0)
    assert ExerciseMedia.objects.count() == 2


def test_an_import_reads_media_only_from_its_media_folder(spine_stretch, tmp_path):
    from django.core.management import CommandError, call_command

    library = {
        "format": "forge-exercise-library",
        "version": 1,
        "exercises": [
            {
                "name": "Wall Sit",
                "slug": "wall-sit",
                "body_part": "legs",
                "equipment": "bodyweight",
                "target_muscle": "quads",
                "difficulty": "beginner",
                "category": "strength",
                "media": [
                    {"file": "../secret.png", "alt_text": "Sitting", "licence": "own"},
                    {"file": "media/missing.png", "alt_text": "", "licence": "mit"},
                ],
            }
        ],
    }
    path = tmp_path / "library.json"
    path.write_text(json.dumps(library), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_exercises", path, verbosity=0)
    message = str(error.value)
    assert 'file "../secret.png" is not a file in the media folder' in message
    assert "alt_text: This field cannot be blank." in message
    assert "licence: Value 'mit' is not a valid choice." in message
    assert not Exercise.objects.filter(slug="wall-sit").exists()


def test_prune_media_deletes_only_old_unused_files(spine_stretch, media_root):
    import os
    import time

    from django.core.management import call_command

    kept = add_media(spine_stretch, image_bytes(color=(3, 3, 3)))
    gone = add_media(spine_stretch, image_bytes(color=(4, 4, 4)))
    gone_files = gone.stored_names()
    gone.delete()
    call_command("prune_media", verbosity=0)  # too recent: a cached page may still show them
    assert all(default_storage.exists(name) for name in gone_files)
    old = time.time() - 3 * 86400
    for path in media_root.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    call_command("prune_media", verbosity=0)
    assert not any(default_storage.exists(name) for name in gone_files)
    assert all(default_storage.exists(name) for name in kept.stored_names())


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_media_texts_refuse_control_characters(spine_stretch, tmp_path):
    library = {
        "format": "forge-exercise-library",
        "version": 1,
        "exercises": [
            {
                **json.loads((FIXTURES / "spine-stretch.json").read_text())["exercises"][0],
                "media": [{"file": "media/a.png", "alt_text": "Sitting\x07", "licence": "own"}],
                "text_credit": {"creator": "Ever\x1bkinetic", "licence": "cc0", "source_url": ""},
            }
        ],
    }
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(image_bytes())
    path = tmp_path / "library.json"
    path.write_text(json.dumps(library), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_exercises", path, "--update", verbosity=0)
    message = str(error.value)
    assert "media[0]: alt_text: Remove the invisible control character U+0007" in message
    assert "text_credit.creator: Remove the invisible control character U+001B" in message
    assert not ExerciseMedia.objects.exists()


def test_a_free_exercise_db_update_keeps_media_and_text_credit(taxonomy, tmp_path):
    records = [
        r
        for r in json.loads((FIXTURES / "free-exercise-db.json").read_text())
        if r["name"] == "Barbell Deadlift"
    ]
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records))
    call_command("import_exercises", path, verbosity=0)
    deadlift = Exercise.objects.get(name="Barbell Deadlift")
    add_media(deadlift)
    ExerciseTextCredit.objects.create(exercise=deadlift, creator="Everkinetic", licence="cc0")
    records[0]["instructions"] = ["Lift it."]
    path.write_text(json.dumps(records))
    call_command("import_exercises", path, "--update", verbosity=0)
    assert [s.text for s in deadlift.steps.all()] == ["Lift it."]
    assert deadlift.media.count() == 1
    assert ExerciseTextCredit.objects.get(exercise=deadlift).creator == "Everkinetic"
