"""BM25 over the index's own statistics (issue 22): each document's length, and a table of how many documents
have each word, filled here from the documents already indexed (on PostgreSQL from the tsvector by ts_stat)."""

from collections import Counter

from django.db import migrations, models


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_searchdocument SET length = coalesce(array_length(regexp_split_to_array(btrim(tokens), "
                "'\\s+'), 1), 0) WHERE btrim(tokens) <> ''"
            )
            cursor.execute(
                "INSERT INTO similar_termstatistic (term, documents, occurrences) "
                "SELECT word, ndoc, nentry FROM ts_stat('SELECT vector FROM cases_searchdocument') WHERE word <> ''"
            )
            cursor.execute(
                "INSERT INTO similar_termstatistic (term, documents, occurrences) "
                "SELECT '', count(*), coalesce(sum(length), 0) FROM cases_searchdocument"
            )
        return
    SearchDocument = apps.get_model("similar", "SearchDocument")
    TermStatistic = apps.get_model("similar", "TermStatistic")
    documents, occurrences, total, count = Counter(), Counter(), 0, 0
    for document in SearchDocument.objects.only("pk", "tokens").iterator(chunk_size=2000):
        words = document.tokens.split()
        SearchDocument.objects.filter(pk=document.pk).update(length=len(words))
        documents.update(set(words))
        occurrences.update(words)
        total += len(words)
        count += 1
    TermStatistic.objects.bulk_create(
        [TermStatistic(term=w, documents=n, occurrences=occurrences[w]) for w, n in documents.items()]
        + [TermStatistic(term="", documents=count, occurrences=total)],
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('similar', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='TermStatistic',
            fields=[
                ('term', models.CharField(max_length=200, primary_key=True, serialize=False)),
                ('documents', models.BigIntegerField(default=0)),
                ('occurrences', models.BigIntegerField(default=0)),
            ],
            options={
                'db_table': 'similar_termstatistic',
            },
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='length',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
