from django.db import migrations, models


def guess_articles(apps, schema_editor):
    from solidaire.tenants.models import article_for

    Collectivite = apps.get_model("tenants", "Collectivite")
    for collectivite in Collectivite.objects.filter(article=""):
        article = article_for(collectivite.name)
        if article:
            Collectivite.objects.filter(pk=collectivite.pk).update(article=article)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_collectivite_email_from"),
    ]

    operations = [
        migrations.AddField(
            model_name="collectivite",
            name="article",
            field=models.CharField(
                blank=True,
                choices=[("la", "la"), ("le", "le"), ("l’", "l’"), ("les", "les"), ("", "none")],
                help_text="How French sentences name it: “la Région Grand Est”, “le Département du Bas-Rhin”, “Strasbourg”.",
                max_length=3,
                verbose_name="article before the name",
            ),
        ),
        migrations.RunPython(guess_articles, migrations.RunPython.noop),
    ]
