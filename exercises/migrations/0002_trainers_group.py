"""The Trainers group: edits the library's content, deletes only exercises and their rows."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Trainers"
# Exercises and the rows edited inline on them: trainers may add, change, view and delete.
EXERCISE_MODELS = ["exercise", "exercisesecondarymuscle", "step", "protip", "commonmistake", "faq"]
# The taxonomy: add, change and view, never delete (exercises depend on it).
TAXONOMY_MODELS = ["bodypart", "muscle", "equipment", "category", "difficulty"]
# Old addresses are kept by the exercises themselves: view only.
VIEW_ONLY_MODELS = ["exerciseslug"]


def codenames():
    for model in EXERCISE_MODELS:
        yield from (f"{action}_{model}" for action in ("add", "change", "delete", "view"))
    for model in TAXONOMY_MODELS:
        yield from (f"{action}_{model}" for action in ("add", "change", "view"))
    for model in VIEW_ONLY_MODELS:
        yield f"view_{model}"


def create_trainers_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after `migrate` by a post_migrate signal, too late for
    # this migration on a fresh database: create them now (it is idempotent).
    create_permissions(global_apps.get_app_config("exercises"), apps=apps, using=using, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = set(codenames())
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="exercises", codename__in=wanted
    )
    missing = wanted - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing for the Trainers group: {sorted(missing)}")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def remove_trainers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_trainers_group, remove_trainers_group)]
