"""Shared pieces of the fault tests: an applicant with a draft entry, and a look at the upload folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from competition.entries.models import Attachment
from competition.extensions import db


def files_in(root: Path) -> list[Path]:
    """Every file under the upload folder, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachment_rows(entry_id: int) -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attachment).where(Attachment.entry_id == entry_id)))


@pytest.fixture
def applicant(make_user):
    return make_user(email="anna.schubert@praezision.example", full_name="Anna Schubert")


@pytest.fixture
def entry(make_entry, make_company, applicant):
    return make_entry(company=make_company(applicant, legal_name="Erzgebirge Präzisionstechnik GmbH"))


@pytest.fixture
def upload_folder(tmp_path):
    root = tmp_path / "uploads"
    yield root
    shutil.rmtree(root, ignore_errors=True)
