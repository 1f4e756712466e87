"""Which writing system a name is in (ISO 15924 codes), by its letters."""

_RANGES = (
    ("Hang", ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F))),
    ("Hani", ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))),
    ("Cyrl", ((0x0400, 0x04FF),)),
    ("Arab", ((0x0600, 0x06FF),)),
)


def detect_script(text: str) -> str:
    """The script of the first letter outside Latin, else "Latn"; "Zyyy" when there are no letters."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return "Zyyy"
    for char in letters:
        point = ord(char)
        for script, ranges in _RANGES:
            if any(low <= point <= high for low, high in ranges):
                return script
    return "Latn"
