"""The organisers' page for logos, signatories and place of an edition's certificates and protocol."""

from __future__ import annotations

import io

from PIL import Image

from competition.accounts.models import Role
from competition.extensions import db
from competition.rankings.models import CertificateDesign

from .test_documents import png


def _form(**overrides):
    data = {"place": "Chemnitz", "logo_1_text": "Logo der IHK", "logo_2_text": "",
            "signatory_1_name": "Dr. Petra Vorsitz", "signatory_1_function": "Vorsitz der Jury",
            "signatory_2_name": "", "signatory_2_function": "",
            "signatory_3_name": "", "signatory_3_function": ""}
    data.update(overrides)
    return data


def test_an_organiser_sets_logos_and_signatories_and_images_are_stored_without_metadata(client, login_as, organiser,
                                                                                        make_edition):
    edition = make_edition()
    login_as(organiser)
    page = client.get(f"/organisation/editions/{edition.id}/certificate-design").get_data(as_text=True)
    assert "Urkunden und Protokoll gestalten" in page and 'enctype="multipart/form-data"' in page
    image = Image.open(io.BytesIO(png(300, 100, "Logo")))
    jpeg = io.BytesIO()
    image.convert("RGB").save(jpeg, format="JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00")
    response = client.post(f"/organisation/editions/{edition.id}/certificate-design", data={
        **_form(), "logo_1": (io.BytesIO(jpeg.getvalue()), "logo.jpg"),
        "signatory_1_signature": (io.BytesIO(png(400, 100, "Unterschrift")), "sig.png")},
        content_type="multipart/form-data")
    assert response.headers["Location"].endswith(f"/organisation/editions/{edition.id}/certificate-design")
    row = db.session.scalar(db.select(CertificateDesign).where(CertificateDesign.edition_id == edition.id))
    assert row.place == "Chemnitz" and row.signatory_1_name == "Dr. Petra Vorsitz"
    assert row.logo_1.startswith(b"\x89PNG") and b"Exif" not in row.logo_1
    assert row.signatory_1_signature.startswith(b"\x89PNG")
    page = client.get(f"/organisation/editions/{edition.id}/certificate-design").get_data(as_text=True)
    assert 'alt="Logo der IHK"' in page and "Unterschrift von Dr. Petra Vorsitz" in page

    client.post(f"/organisation/editions/{edition.id}/certificate-design",
                data={**_form(), "remove_logo_1": "y"}, content_type="multipart/form-data")
    db.session.expire_all()
    row = db.session.scalar(db.select(CertificateDesign).where(CertificateDesign.edition_id == edition.id))
    assert row.logo_1 is None and row.signatory_1_signature is not None


def test_a_file_that_is_not_an_image_is_refused_with_a_message_and_nothing_typed_is_lost(client, login_as, organiser,
                                                                                        make_edition):
    edition = make_edition()
    login_as(organiser)
    for payload, message in ((b"%PDF-1.7 not an image", "kein lesbares Bild"),
                             (b"GIF89a" + b"\x00" * 40, "kein lesbares Bild")):
        page = client.post(f"/organisation/editions/{edition.id}/certificate-design", data={
            **_form(signatory_2_name="Thomas Kammer"), "logo_2": (io.BytesIO(payload), "logo.png")},
            content_type="multipart/form-data")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and message in text and 'aria-invalid="true"' in text
        assert 'value="Thomas Kammer"' in text and 'value="Chemnitz"' in text
    page = client.post(f"/organisation/editions/{edition.id}/certificate-design",
                       data=_form(signatory_1_name="", signatory_1_function="Vorsitz der Jury"),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Bitte geben Sie den Namen der unterzeichnenden Person an." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(CertificateDesign)) == 0


def test_only_organisers_may_change_the_design(client, login_as, make_user, make_edition):
    edition = make_edition()
    for roles in ((Role.JUROR,), (Role.APPLICANT,)):
        login_as(make_user(roles=roles))
        assert client.get(f"/organisation/editions/{edition.id}/certificate-design").status_code == 403
        assert client.post(f"/organisation/editions/{edition.id}/certificate-design", data=_form(),
                           content_type="multipart/form-data").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(CertificateDesign)) == 0
    client.post("/logout")
    login_as(make_user(roles=(Role.ORGANISER,)))
    assert client.get("/organisation/editions/999999/certificate-design").status_code == 404
