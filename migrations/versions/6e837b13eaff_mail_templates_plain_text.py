"""communications: mail templates as plain text with placeholders ({Beitragsnummer}); old templates converted

Revision ID: 6e837b13eaff
Revises: 04b3ad1d7010
Create Date: 2026-12-05 06:35:35.550452

Every stored template (organisers' versions of system mails and their own group-mail templates) is converted from
template code into placeholders (competition/communications/legacy.py). What cannot be converted stays in the text
and is described in ``conversion_note``: the organisers see it on the template, and the standard text is sent
until they save it again. Nothing is dropped. The downgrade keeps the converted texts (the old code is gone).
"""
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from competition.communications.legacy import convert

revision = '6e837b13eaff'
down_revision = '04b3ad1d7010'
branch_labels = None
depends_on = None

_PO = Path(__file__).resolve().parents[2] / "competition" / "translations" / "{locale}" / "LC_MESSAGES" / "messages.po"


def _translator(locale: str):
    """The old templates' texts were German msgids translated when sent: an English template gets the English."""
    if locale == "de":
        return lambda text: text
    path = Path(str(_PO).format(locale=locale))
    if not path.is_file():
        return lambda text: text
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    strings = {}
    for message in [*catalog, *catalog.obsolete.values()]:
        if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            strings[message.id] = message.string
    return lambda text: strings.get(text, text)


def upgrade():
    with op.batch_alter_table('mail_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversion_note', sa.Text(), server_default='', nullable=False))

    connection = op.get_bind()
    table = sa.table('mail_templates', sa.column('id', sa.Integer), sa.column('key', sa.String),
                     sa.column('locale', sa.String), sa.column('subject', sa.Text), sa.column('body', sa.Text),
                     sa.column('conversion_note', sa.Text))
    translators = {}
    for row in connection.execute(sa.select(table)).all():
        translate = translators.setdefault(row.locale, _translator(row.locale))
        subject = convert(row.subject, key=row.key, translate=translate)
        body = convert(row.body, key=row.key, translate=translate)
        note = ""
        if subject.problems or body.problems:
            parts = [f"Betreff, {p}" for p in subject.problems] + [f"Text, {p}" for p in body.problems]
            note = ("Diese Stellen enthalten Vorlagen-Code, der sich nicht in Platzhalter umwandeln ließ. Bitte "
                    "ersetzen Sie sie durch Text oder einen Platzhalter aus der Liste: " + "; ".join(parts))
        connection.execute(sa.update(table).where(table.c.id == row.id).values(
            subject=subject.text, body=body.text, conversion_note=note))


def downgrade():
    with op.batch_alter_table('mail_templates', schema=None) as batch_op:
        batch_op.drop_column('conversion_note')
