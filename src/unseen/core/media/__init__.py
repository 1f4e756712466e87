"""Evidence files as bytes: types, checks, embedded metadata, copies, text, faces, redaction."""
