"""Real files for the evidence-file tests: scikit-image's astronaut photo, a PDF made here.

The photo is NASA's portrait of Eileen Collins (public domain), as scikit-image ships it.
"""

import io

import pymupdf
from PIL import Image

# Where the astronaut's face is in the 512 × 512 photo (x, y, w, h), by eye.
FACE = (180, 60, 110, 130)
SECRET = "Kim Chol-su, passport 836123456"


def astronaut_image() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


def astronaut_jpeg(*, gps: bool = True) -> bytes:
    """The photo as a JPEG whose EXIF names a camera and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0132] = "2026:03:04 05:06:07"  # DateTime
    if gps:
        exif[0x8825] = {1: "N", 2: (47.0, 55.0, 12.5), 3: "E", 4: (106.0, 55.0, 3.25)}
    out = io.BytesIO()
    astronaut_image().save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def roster_pdf() -> bytes:
    """Three pages: a roster with a name and a passport number on page 1, the photo on page 2,
    a note on page 3; the document's info names an author."""
    document = pymupdf.open()
    first = document.new_page(width=595, height=842)
    first.insert_text((72, 100), "Workers sent to the site, March", fontsize=16)
    first.insert_text((72, 160), SECRET, fontsize=12)
    first.insert_text((72, 200), "Shift: night", fontsize=12)
    second = document.new_page(width=595, height=842)
    photo = io.BytesIO()
    astronaut_image().save(photo, "PNG")
    second.insert_image(pymupdf.Rect(72, 72, 72 + 400, 72 + 400), stream=photo.getvalue())
    third = document.new_page(width=595, height=842)
    third.insert_text((72, 100), "Page three: the overseer's note", fontsize=12)
    document.set_metadata({"author": "Overseer Pak", "title": "Roster"})
    data: bytes = document.tobytes()
    document.close()
    return data


# Where SECRET is on page 1, in points (top left origin), with room around it.
SECRET_BOX = {"page": 1, "x": 66, "y": 140, "w": 300, "h": 28}


def published_file(user, reviewer, data: bytes | None = None, *, record=None, **fields):
    """A file as the public sees it: judged to need no redaction by `user`, reviewed by
    `reviewer` (someone other than its last editor), then made public."""
    from unseen.evidence import reviewing
    from unseen.files import redacting, storing

    file = storing.receive([data or astronaut_jpeg()], name="photo.jpg", user=user).file
    if record is not None:
        storing.attach(file, record, user)
    redacting.mark_not_needed(file, user, "Synthetic test picture")
    file.refresh_from_db()
    for name, value in {"credit": "NASA", "licence": "PDM", **fields}.items():
        setattr(file, name, value)
    file.save()
    reviewing.send_to_review(file, reviewer)
    file.refresh_from_db()
    reviewing.approve(file, reviewer)
    file.refresh_from_db()
    file.access_level = "public"
    file.save()
    return file
