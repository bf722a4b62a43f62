"""Trainers may look up old hub addresses (read-only), as they can old exercise addresses."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("exercises"), apps=apps, using=using, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(using).get(
        content_type__app_label="exercises", codename="view_hubslug"
    )
    for group in Group.objects.using(using).filter(name="Trainers"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name="Trainers"):
        group.permissions.remove(
            *Permission.objects.using(using).filter(codename="view_hubslug")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0006_exercise_version_and_labels"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
