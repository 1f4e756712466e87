"""Evidence files as bytes: what a file is, whether it is sound, what it claims, its copies, its text.

Pure Python over pymupdf, Pillow, pytesseract, puremagic, webvtt-py
and srt, and Debian's tesseract and ffmpeg when they are installed (a clear MediaUnavailable when
they are not). The Django side (`unseen.files`) stores, seals and audits; nothing here does.

- `types`: `detect(head, name=...)` -> FileType, from content; the allowlist `ALLOWED`.
- `checks`: `check(path, file_type)` refuses damaged files, decompression bombs and locked PDFs.
- `embedded`: `read(path, file_type)` -> what the file claims about itself (EXIF, XMP, PDF info,
  ffprobe), JSON-safe.
- `copies`: thumbnails and previews, and `strip_image` / `strip_pdf`; each returns a `Derived`
  naming the tool, its version and the parameters that made it.
- `text`: PDF text layers, OCR (kor+eng) and transcripts, as `Segment`s.
- `faces`: faces proposed by OpenCV's bundled Haar cascades, in images and PDF pages.
- `redacting`: redacted copies of images (blur or fill) and PDFs (text really removed).

Pages are counted from 0, as PyMuPDF counts them (show page + 1). Heavy libraries are imported
inside the functions that use them, so that importing this package (and starting `unseen`) stays
fast.
"""

from unseen.core.media.errors import MediaError, MediaRefused, MediaUnavailable, Unsupported

__all__ = ["MediaError", "MediaRefused", "MediaUnavailable", "Unsupported"]
