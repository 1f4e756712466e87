"""Time codes of recordings: written as people read them (1:05, 1:02:03), and typed transcripts.

- `clock(seconds)`: "01:05", or "1:02:03" past the hour.
- `parse_clock(text)`: seconds from "65", "1:05", "01:02:03" or "1:05.250".
- `typed_transcript(text)`: segments of a transcript typed by hand, one line per utterance,
  each starting with its time ("00:12 Was your passport taken?", "[1:02:03] ...", or a range
  "00:12 - 00:20 ..."); a line without a time continues the one before. A cue ends where the
  next begins (the last one where it began, unless a range says otherwise). Text with no time
  code at all gives no segments: the caller keeps it as one untimed segment.
"""

import re

from unseen.core.media.text import Segment

_CLOCK = re.compile(r"^(?:(?:(\d{1,3}):)?(\d{1,2}):)?(\d{1,5})(?:[.,](\d{1,3}))?$")
_TIME = r"\d{1,3}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_LINE = re.compile(
    rf"^\s*\[?(?P<start>{_TIME})\]?(?:\s*(?:-|–|—|-->|~)\s*\[?(?P<end>{_TIME})\]?)?\s+(?P<text>.*)$"
)


def clock(seconds: float | None) -> str:
    """The time `seconds` into a recording as mm:ss (h:mm:ss past the hour); "" for None."""
    if seconds is None:
        return ""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def parse_clock(text: str) -> float:
    """Seconds from a time code: "65", "1:05", "01:02:03", "1:05.250" (or "1:05,250").

    Raises:
        ValueError: when `text` is not a time code, or minutes or seconds are 60 or more where
            a larger unit stands before them.
    """
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a time code: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if minutes is not None and int(seconds) >= 60:
        raise ValueError(f"not a time code: {text!r}")
    if hours is not None and int(minutes) >= 60:
        raise ValueError(f"not a time code: {text!r}")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    return total + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def typed_transcript(text: str) -> list[Segment]:
    """Timed segments of a transcript typed by hand (see the module's docstring)."""
    cues: list[tuple[float, float | None, list[str]]] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        start = _seconds(match.group("start")) if match else None
        if match is not None and start is not None:
            end = _seconds(match.group("end")) if match.group("end") else None
            cues.append((start, end, [match.group("text").strip()]))
        elif cues and line.strip():
            cues[-1][2].append(line.strip())
    segments = []
    for index, (start, end, lines) in enumerate(cues):
        if end is None:
            end = cues[index + 1][0] if index + 1 < len(cues) else start
        body = "\n".join(part for part in lines if part)
        if body:
            segments.append(Segment(body, "transcript", start=start, end=max(end, start)))
    return segments


def _seconds(text: str) -> float | None:
    try:
        return parse_clock(text)
    except ValueError:
        return None
