"""Files that carry a company's name only in their metadata, the way real tools leave it there, and a reader that
finds the name in any of them however it is stored (compressed, UTF-16, inside a zip member, an XMP packet or an
ICC profile): for the blind-copy tests. The visible content never names the company."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
import zlib

from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xmp(name: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<dc:creator><rdf:Seq><rdf:li>{name}</rdf:li></rdf:Seq></dc:creator><pdf:Producer>{name} DTP</pdf:Producer>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def _metadata_stream(writer: PdfWriter, name: str):
    stream = StreamObject()
    stream.set_data(_xmp(name))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    return writer._add_object(stream.flate_encode())  # compressed: a plain search of the bytes finds nothing


def leaky_pdf(name: str) -> bytes:
    """One page saying "Konzept", with the name in /Author (UTF-16), a custom info key, compressed XMP in the
    catalogue, on the page and on an image, a comment's author, an embedded file, application data, and an
    earlier revision (incremental update)."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Konzept) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    image = StreamObject()
    image.set_data(b"\xff\x00\x00")
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(1), NameObject("/Height"): NumberObject(1),
                  NameObject("/ColorSpace"): NameObject("/DeviceRGB"), NameObject("/BitsPerComponent"): NumberObject(8),
                  NameObject("/Metadata"): _metadata_stream(writer, name)})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
        NameObject("/XObject"): DictionaryObject({NameObject("/Im1"): writer._add_object(image)})})
    page[NameObject("/Metadata")] = _metadata_stream(writer, name)
    page[NameObject("/PieceInfo")] = DictionaryObject({NameObject("/Illustrator"): DictionaryObject({
        NameObject("/Private"): TextStringObject(f"Layer von {name}")})})
    comment = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
                                NameObject("/Rect"): ArrayObject([NumberObject(v) for v in (10, 10, 30, 30)]),
                                NameObject("/Contents"): TextStringObject("Bitte prüfen"),
                                NameObject("/T"): TextStringObject(name)})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(comment)])
    writer._root_object[NameObject("/Metadata")] = _metadata_stream(writer, name)
    writer.add_attachment("kalkulation.txt", f"Kalkulation {name}".encode())
    writer.add_metadata({"/Author": f"{name} – Entwicklung ✓", "/Company": name, "/Title": "Konzept"})
    first = io.BytesIO()
    writer.write(first)
    # A later revision that changes the title: the earlier one stays in the file (incremental update).
    update = PdfWriter(PdfReader(io.BytesIO(first.getvalue())), incremental=True)
    update.add_metadata({"/Title": "Konzept, Fassung 2"})
    second = io.BytesIO()
    update.write(second)
    return second.getvalue()


def leaky_png(name: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", name)
    info.add_text("Comment", f"erstellt von {name}", zip=True)  # zTXt
    info.add_itxt("Copyright", f"© {name}", lang="de", tkey="Urheber", zip=True)  # compressed iTXt
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (40, 90, 160)).save(buffer, "PNG", pnginfo=info, exif=exif.tobytes(),
                                                   icc_profile=b"\x00" * 128 + f"desc {name}".encode())
    return buffer.getvalue()


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def leaky_jpeg(name: str) -> bytes:
    """EXIF (Artist, with a thumbnail), a comment, an ICC profile, XMP, Photoshop/IPTC, and bytes after the end."""
    exif = Image.Exif()
    exif[0x013B] = name
    exif[0x8298] = f"Copyright {name}"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "JPEG", quality=90, exif=exif.tobytes(),
                                                    comment=f"Foto {name}".encode(),
                                                    icc_profile=b"\x00" * 128 + f"desc {name}".encode())
    data = buffer.getvalue()
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + _xmp(name))
    iptc = _segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + struct.pack(">I", len(name) + 5)
                    + b"\x1c\x02\x50" + struct.pack(">H", len(name)) + name.encode())
    return data[:2] + xmp + iptc + data[2:] + f"trailer {name}".encode()


def leaky_docx(name: str) -> bytes:
    """Core properties (creator, last modified by), app properties (company, manager), a custom property, a
    thumbnail with EXIF, a comment's author, a tracked change's author and the path of its template."""
    thumbnail = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = name
    Image.new("RGB", (8, 8), "white").save(thumbnail, "JPEG", exif=exif.tobytes())
    types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Default Extension="jpeg" ContentType="image/jpeg"/>'
             f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/>'
             '<Override PartName="/docProps/core.xml" '
             'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             '<Override PartName="/docProps/app.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
             '<Override PartName="/docProps/custom.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
    rels = (f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'extended-properties" Target="docProps/app.xml"/>'
            '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'thumbnail" Target="docProps/thumbnail.jpeg"/>'
            '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'custom-properties" Target="docProps/custom.xml"/></Relationships>')
    document = (f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:ins w:id="1" w:author="{name}" '
                'w:date="2026-03-01T10:00:00Z"><w:r><w:t>Konzept</w:t></w:r></w:ins></w:p></w:body></w:document>')
    comments = (f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="0" w:author="{name}" w:initials="NS">'
                '<w:p><w:r><w:t>Bitte prüfen</w:t></w:r></w:p></w:comment></w:comments>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{name}</dc:creator><cp:lastModifiedBy>{name}</cp:lastModifiedBy>"
            "<dc:title>Konzept</dc:title></cp:coreProperties>")
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
           'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           f"<Company>{name}</Company><Manager>Geschäftsführung {name}</Manager></Properties>")
    custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
              'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
              'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
              '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Kunde">'
              f"<vt:lpwstr>{name}</vt:lpwstr></property></Properties>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.comment = f"gepackt von {name}".encode()
        archive = _Fixed(zipped)  # the same bytes every time (no clock in the member headers)
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/comments.xml", comments)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("docProps/app.xml", app)
        archive.writestr("docProps/custom.xml", custom)
        archive.writestr("docProps/thumbnail.jpeg", thumbnail.getvalue())
        archive.writestr("word/settings.xml", f'<w:settings xmlns:w="{W_NS}" xmlns:r="http://schemas.openxmlformats.org/'
                                              'officeDocument/2006/relationships"><w:attachedTemplate r:id="rId1"/>'
                                              "</w:settings>")
        archive.writestr("word/_rels/settings.xml.rels",
                         f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                         f'Target="file:///C:\\Vorlagen\\{name}\\Brief.dotx" TargetMode="External"/></Relationships>')
    return buffer.getvalue()


class _Fixed:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive

    def writestr(self, name: str, data) -> None:
        self.archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 1, 12, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)


LEAKY = {"pdf": leaky_pdf, "png": leaky_png, "jpeg": leaky_jpeg, "docx": leaky_docx}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "docx": "docx"}


# --- finding the name, however it is stored ------------------------------------------------------------------------

def _encodings(name: str) -> list[bytes]:
    forms = {name, name.casefold(), name.upper()}
    return [form.encode(codec) for form in forms for codec in ("utf-8", "utf-16-be", "utf-16-le", "latin-1")
            if _encodable(form, codec)]


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _pieces_of_pdf(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    yield from (str(value).encode() for value in (reader.metadata or {}).values())
    numbers = set(reader.xref_objStm)
    for entries in reader.xref.values():
        numbers.update(entries)
    for number in sorted(numbers - {0}):
        obj = reader.get_object(number)
        yield repr(obj).encode("utf-8", "replace")
        if isinstance(obj, StreamObject):
            yield obj.get_data()  # decompressed


def _pieces_of_png(data: bytes):
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        yield chunk
        for start in range(len(chunk)):  # any zlib stream inside (zTXt, iTXt, iCCP)
            if chunk[start:start + 1] == b"\x78":
                with contextlib.suppress(zlib.error):
                    yield zlib.decompressobj().decompress(chunk[start:])
        position += 12 + length


def _pieces_of_zip(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        yield archive.comment
        for info in archive.infolist():
            yield info.filename.encode() + info.extra + info.comment
            member = archive.read(info)
            yield member
            if member[:3] == b"\xff\xd8\xff":
                yield from _pieces_of_image(member)


def _pieces_of_image(data: bytes):
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        yield repr(image.info).encode("utf-8", "replace")
        yield repr(dict(image.getexif())).encode("utf-8", "replace")


def pieces(data: bytes):
    """Everything a reader of the file could get at: the raw bytes, and each part decoded or decompressed."""
    yield data
    if data.startswith(b"%PDF"):
        yield from _pieces_of_pdf(data)
    elif data.startswith(b"\x89PNG"):
        yield from _pieces_of_png(data)
        yield from _pieces_of_image(data)
    elif data.startswith(b"\xff\xd8"):
        yield from _pieces_of_image(data)
    elif data.startswith(b"PK"):
        yield from _pieces_of_zip(data)


def mentions(data: bytes, name: str) -> bool:
    """Whether the name appears anywhere in the file, stored in whatever way."""
    needles = _encodings(name)
    return any(needle in piece for piece in pieces(data) for needle in needles)
