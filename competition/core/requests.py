"""The request class of the app: form fields and query parameters arrive without NUL characters.

PostgreSQL cannot store NUL in text columns: a name or comment with a NUL byte made the database refuse the statement
and the user saw a server error (SQLite stored it). No legitimate input contains NUL, so it is dropped at the door,
for every view alike (WTForms or `request.form`), before any validation sees the value.
"""

from __future__ import annotations

from flask import Request
from werkzeug.utils import cached_property

NUL = "\x00"


def _without_nul(pairs, storage_class):
    if not any(NUL in key or (isinstance(value, str) and NUL in value) for key, value in pairs):
        return None
    return storage_class([(key.replace(NUL, ""), value.replace(NUL, "") if isinstance(value, str) else value)
                          for key, value in pairs])


class CleanRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            cleaned = _without_nul(list(form.items(multi=True)), self.parameter_storage_class)
            if cleaned is not None:
                self.__dict__["form"] = cleaned

    @cached_property
    def args(self):
        args = super().args
        cleaned = _without_nul(list(args.items(multi=True)), self.parameter_storage_class)
        return args if cleaned is None else cleaned
