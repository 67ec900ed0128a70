"""Form fields for the German-first UI: Berlin wall-clock datetimes and decimals with a comma."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import ValidationError

from .clock import NonexistentLocalTime, berlin_to_utc, to_berlin


class BerlinDateTimeField(DateTimeLocalField):
    """<input type=datetime-local> in Europe/Berlin; `data` is an aware UTC datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        local = None
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"):
            try:
                local = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        if local is None:
            self.data = None
            raise ValueError(_l("Bitte geben Sie Datum und Uhrzeit an, z. B. 31.03.2026 23:59."))
        try:
            self.data = berlin_to_utc(local)
        except NonexistentLocalTime:
            self.data = None
            raise ValueError(
                _l("Diese Uhrzeit gibt es wegen der Zeitumstellung nicht. Bitte wählen Sie eine andere.")
            ) from None

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_berlin(self.data).strftime("%Y-%m-%dT%H:%M") if self.data else ""


class DecimalCommaField(StringField):
    """A decimal that accepts "0,5" and "0.5"; shown with a comma in German."""

    def __init__(self, label=None, validators=None, places: int = 2, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.places = places

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Bitte geben Sie eine Zahl ein, z. B. 2,5.")) from None
        if not value.is_finite() or value.as_tuple().exponent < -self.places or abs(value) >= 100000:
            self.data = None
            raise ValueError(_l("Bitte geben Sie eine Zahl mit höchstens %(n)s Nachkommastellen ein.", n=self.places))
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format(self.data.normalize(), "f") if isinstance(self.data, Decimal) else str(self.data)
        return text.replace(".", ",")


class DecimalRange:
    def __init__(self, minimum: Decimal | None = None, message=None, exclusive: bool = False):
        self.minimum = minimum
        self.message = message
        self.exclusive = exclusive

    def __call__(self, form, field):
        if field.data is None or self.minimum is None:
            return
        if field.data < self.minimum or (self.exclusive and field.data == self.minimum):
            raise ValidationError(str(self.message))
