"""sacinfra.files: the one check of a file a person sends (routing's evidence and intake's
attachments use it; routing's own tests cover sniffing and names in depth)."""
import base64

import pytest

from sacinfra import files
from sacinfra.errors import InvalidInput

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


class TooLarge(InvalidInput):
    pass


def test_check_says_why_one_file_would_be_refused():
    small = files.Limits(max_files=2, max_bytes=len(JPEG))
    assert files.check(JPEG, small) is None
    assert files.check(b"", small) == "evidencia_vacia"
    assert files.check(JPEG + b"\x00", small) == "evidencia_muy_grande"
    assert files.check(b"hola", small) == "tipo_de_evidencia_no_permitido"


def test_prepare_words_the_owner_and_raises_the_callers_class():
    item = files.payload_item("C:\\fotos\\poste.JPG", JPEG)
    assert base64.b64decode(item["content"]) == JPEG
    [f] = files.prepare([item], per="reporte")
    assert (f.filename, f.content_type, f.size) == ("poste.jpg", "image/jpeg", len(JPEG))  # last path part, extension of its type
    with pytest.raises(InvalidInput, match="por reporte"):
        files.prepare([item] * 6, per="reporte")
    with pytest.raises(TooLarge):
        files.prepare([item], files.Limits(max_bytes=4), too_large=TooLarge)
