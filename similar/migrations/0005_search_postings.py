"""An inverted index for BM25 (issue 22, on PostgreSQL): a posting for each word of each document, with the word's
frequency in it, keyed by (word, court, document), so that a scoped search reads only its words' postings in its
courts, in key order, from the index alone, instead of every candidate's tsvector. A posting also carries what
the ranking orders ties by (the document's length, level and date).

Kept by the database itself: a trigger on the documents table writes a document's postings when it is inserted
and rewrites them when it changes, whatever writes it (``similar.services.index_cases``, ``index_reference``,
``reindex_all``, a bulk load in SQL), and a TRUNCATE empties them. Filled here from the documents already
indexed. The reference cases of no court have court 0."""

from django.db import migrations

FUNCTIONS = [
    """
    CREATE FUNCTION similar_posting_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM similar_posting
            WHERE term = ANY(tsvector_to_array(OLD.vector)) AND court = coalesce(OLD.organisation_id, 0)
              AND document_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO similar_posting (term, court, document_id, tf, length, level, decided_on)
            SELECT u.lexeme, coalesce(NEW.organisation_id, 0), NEW.id, coalesce(array_length(u.positions, 1), 1),
                   NEW.length, NEW.level, NEW.decided_on
            FROM unnest(NEW.vector) AS u;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION similar_posting_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE similar_posting;
        RETURN NULL;
    END $$
    """,
]
TABLE = """
CREATE TABLE similar_posting (
    term text NOT NULL,
    court bigint NOT NULL,
    document_id bigint NOT NULL,
    tf integer NOT NULL,
    length integer NOT NULL,
    level smallint,
    decided_on date,
    CONSTRAINT similar_posting_pkey PRIMARY KEY (term, court, document_id) INCLUDE (tf, length, level, decided_on)
)
"""
FILL = """
INSERT INTO similar_posting (term, court, document_id, tf, length, level, decided_on)
SELECT u.lexeme, coalesce(d.organisation_id, 0), d.id, coalesce(array_length(u.positions, 1), 1), d.length, d.level,
       d.decided_on
FROM cases_searchdocument d, unnest(d.vector) AS u
ORDER BY 1, 2, 3
"""
TRIGGERS = [
    "CREATE TRIGGER similar_posting_sync AFTER INSERT OR DELETE OR UPDATE OF tokens, organisation_id, level, "
    "decided_on, length ON cases_searchdocument FOR EACH ROW EXECUTE FUNCTION similar_posting_sync()",
    "CREATE TRIGGER similar_posting_truncate AFTER TRUNCATE ON cases_searchdocument "
    "FOR EACH STATEMENT EXECUTE FUNCTION similar_posting_truncate()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS similar_posting_truncate ON cases_searchdocument",
    "DROP TRIGGER IF EXISTS similar_posting_sync ON cases_searchdocument",
    "DROP FUNCTION IF EXISTS similar_posting_truncate()",
    "DROP FUNCTION IF EXISTS similar_posting_sync()",
    "DROP TABLE IF EXISTS similar_posting",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [TABLE, FILL, *FUNCTIONS, *TRIGGERS, "ANALYZE similar_posting"]:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("similar", "0004_deviation_warning")]
    operations = [migrations.RunPython(forwards, backwards)]
