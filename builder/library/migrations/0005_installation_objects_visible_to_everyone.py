from django.db import migrations


def installation_objects_for_everyone(apps, schema_editor):
    # What commands loaded without an owner has always been visible to everyone; store it so.
    for name in ("DeviceProfile", "DomainTemplate"):
        apps.get_model("library", name).objects.filter(owner__isnull=True).update(visibility="everyone")


class Migration(migrations.Migration):
    dependencies = [("library", "0004_teams_visibility_publishing")]

    operations = [migrations.RunPython(installation_objects_for_everyone, migrations.RunPython.noop)]
