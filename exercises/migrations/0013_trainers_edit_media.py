"""Trainers may add, change, delete and view exercise media and text credits."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}"
    for model in ("exercisemedia", "exercisetextcredit")
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("exercises"), apps=apps, using=using, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="exercises", codename__in=CODENAMES
    )
    for group in Group.objects.using(using).filter(name="Trainers"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name="Trainers"):
        group.permissions.remove(*Permission.objects.using(using).filter(codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0012_help_texts_and_old_hub_addresses"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
