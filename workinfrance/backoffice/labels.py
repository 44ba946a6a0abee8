"""A dossier's labels inside the row's own query (no query per row, no prefetch): the label ids for
the inbox (matched with the unit's labels, read once), the names for the exports.

Names are sorted by code point (`COLLATE "C"` on PostgreSQL, SQLite's binary order), so the
PostgreSQL COPY export and the Python export give the same bytes."""

from django.db.models import CharField, F, Func


class _LabelAggregate(Func):
    output_field = CharField()
    sqlite_template = ""
    postgresql_template = ""

    def __init__(self, dossier_pk=None):
        super().__init__(dossier_pk if dossier_pk is not None else F("pk"))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.postgresql_template, **extra_context)


class LabelIds(_LabelAggregate):
    """ "3,7": the ids of the dossier's labels, comma-separated (NULL without any)."""

    sqlite_template = (
        "(SELECT group_concat(dl.label_id, ',') FROM backoffice_dossierlabel dl "
        "WHERE dl.dossier_id = %(expressions)s)"
    )
    postgresql_template = (
        "(SELECT string_agg(dl.label_id::text, ',') FROM backoffice_dossierlabel dl "
        "WHERE dl.dossier_id = %(expressions)s)"
    )


class LabelNames(_LabelAggregate):
    """ "Prioritaire, À relancer": the names of the dossier's labels, sorted (NULL without any)."""

    sqlite_template = (
        "(SELECT group_concat(name, ', ') FROM (SELECT l.name AS name FROM backoffice_dossierlabel dl "
        "JOIN backoffice_label l ON l.id = dl.label_id WHERE dl.dossier_id = %(expressions)s "
        "ORDER BY l.name))"
    )
    postgresql_template = (
        "(SELECT string_agg(l.name, ', ' ORDER BY l.name COLLATE \"C\") FROM backoffice_dossierlabel dl "
        "JOIN backoffice_label l ON l.id = dl.label_id WHERE dl.dossier_id = %(expressions)s)"
    )
