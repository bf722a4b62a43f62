"""Aliases of an exercise (ExerciseAlias), which trainers may add, change, delete and view."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
import django.db.models.deletion
import django.db.models.functions.text
import exercises.models.naming
import exercises.text
from django.db import migrations, models


CODENAMES = [f"{action}_exercisealias" for action in ("add", "change", "delete", "view")]


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
        ('exercises', '0016_exercise_grammatical_number'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExerciseAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Listing order; lower numbers come first.')),
                ('name', models.CharField(help_text='Another name people search for, e.g. “RDL” or “Skull Crusher”; spellings such as “Chinup” for “Chin-Up” count too. Shown on the page as “Also known as”.', max_length=100, validators=[exercises.text.validate_plain_text, exercises.text.validate_has_word])),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='exercises.exercise')),
            ],
            options={
                'verbose_name': 'alias',
                'verbose_name_plural': 'aliases (also known as)',
                'ordering': ['position', 'id'],
                'abstract': False,
                'constraints': [models.UniqueConstraint(models.F('exercise'), django.db.models.functions.text.Lower('name'), name='alias_once_per_exercise', violation_error_message='This exercise already has this alias.'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='alias_name_not_empty')],
            },
            bases=(exercises.models.naming.NormalizedNameMixin, models.Model),
        ),
        migrations.RunPython(grant, revoke),
    ]
