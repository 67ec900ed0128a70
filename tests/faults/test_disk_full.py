"""The disk fills up during an upload: the applicant reads a clear message, and neither a row nor a partial file
is left behind. As root the upload folder is a real 1 MiB tmpfs (the kernel answers ENOSPC); otherwise the storage's
write fails with ENOSPC at the same point."""

from __future__ import annotations

import errno
import io
import os
import subprocess

import pytest

from competition.core import storage
from tests.entries.test_filetypes import pdf_bytes
from tests.faults.conftest import attachment_rows, files_in

MIB = 1024 * 1024


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """An upload folder on a filesystem with 1 MiB of space."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)], capture_output=True,
    ).returncode == 0
    if not mounted:  # no root: the same failure, raised where the kernel would raise it
        real_write = storage.SpooledFile.write

        def write(self, data):
            if self.size + len(data) > MIB:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(self, data)

        monkeypatch.setattr(storage.SpooledFile, "write", write)
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_on_upload(make_app, small_disk, applicant, entry):
    app = make_app(UPLOAD_FOLDER=str(small_disk))
    client = app.test_client()
    assert client.post("/login", data={"email": applicant.email, "password": "richtig-gutes-Passwort-2026"}
                       ).status_code == 302
    large = pdf_bytes(padding=2 * MIB)  # within the edition's caps, larger than the disk

    response = client.post(f"/entries/{entry.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(large), "Projektbeschreibung.pdf")})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/entries/{entry.id}/edit#anlagen"
    page = client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "weil der Speicherplatz auf dem Server erschöpft ist" in page
    assert "Bitte versuchen Sie es später erneut" in page
    assert attachment_rows(entry.id) == []
    assert files_in(small_disk) == []  # the partial file is gone, and with it the space it took

    # Space is free again: a small file is stored.
    small = pdf_bytes()
    response = client.post(f"/entries/{entry.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(small), "Kurzfassung.pdf")})
    assert "wurde hochgeladen" in client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    [row] = attachment_rows(entry.id)
    assert [p.name for p in files_in(small_disk)] == [row.storage_key]
