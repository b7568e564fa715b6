import uuid

from django.conf import settings
from django.db import migrations

from directory.seed import seed_lists


def seed(apps, schema_editor):
    models = [apps.get_model(*name.split(".")) for name in (
        "wagtailcore.Locale", "directory.Theme", "directory.Audience", "directory.Language"
    )]
    Locale, Theme, Audience, Language = models
    # Historical models do not run TranslatableMixin's default for translation_key.
    for model in (Theme, Audience):
        model._meta.get_field("translation_key").default = uuid.uuid4
    seed_lists(Locale, Theme, Audience, Language, settings.LANGUAGE_CODE)


def create_home_page(apps, schema_editor):
    """Replace Wagtail's welcome page with our home page, as Wagtail's project template does."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("directory.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    Page.objects.filter(id=2, slug="home").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="directory")
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    home = HomePage.objects.create(
        title="Wijkwijzer",
        draft_title="Wijkwijzer",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        translation_key=uuid.uuid4(),
        live=True,
        intro="Zoek hulp in uw wijk: wie helpt met geld, wonen, werk, taal, zorg en meer.",
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Wijkwijzer"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_home_page, migrations.RunPython.noop),
    ]
