"""SYNTHETIC lists for trying record linkage and population estimation in the demo.

Three sources act as lists of the same invented workers: an interview series, a leaked roster and
press reports, each writing names its own way (Lee Chul-soo, RI Chol Su, Yi Ch'ŏl-su).
`unseen.core.linkage.synthetic.generate_workers` makes the records with a fixed seed; they go in
through the import path of `unseen import --kind persons` (`import_table`), so each record becomes
a Person with its identifying fields sealed in the identity vault and a claim from its list.

Nothing here describes a real person, organisation or publication: the sources say SYNTHETIC in
their title, every record is marked synthetic, and the generator's truth column (which records are
the same person) is dropped before anything is stored. So are its employers: their invented names
resemble real North Korean companies too closely to hang on synthetic workers.

Lists of named workers are confidential, as the demo's interviews are: the demo's `admin` sign-in
links them (and, holding the vault permission, may open a pair's identities in the review queue).
"""

from dataclasses import dataclass

from unseen.accounts.models import AccessLevel
from unseen.core.linkage import generate_workers
from unseen.core.tables import Table
from unseen.documentation.importing import import_table
from unseen.evidence.models import Reliability, Source, SourceKind

SEED = 7  # any seed works; with this one the default run leaves a few dozen pairs to review
PERSONS = 150  # invented workers; each is on one to three lists: 250 records in all
NOTES = (
    "Synthetic demo list for trying record linkage and multiple systems estimation: generated "
    "records of invented workers (seed {seed}). No real person, organisation or publication is "
    "meant."
)


@dataclass(frozen=True)
class DemoList:
    generated: str  # the generator's name for the source
    title: str
    kind: str
    reliability: str
    language: str


LISTS = (
    DemoList(
        "interviews", "SYNTHETIC interview series (demo data)", SourceKind.INTERVIEW, "C", "ko"
    ),
    DemoList("roster", "SYNTHETIC leaked roster (demo data)", SourceKind.DOCUMENT, "B", "ko"),
    DemoList("press", "SYNTHETIC press reports (demo data)", SourceKind.MEDIA_REPORT, "D", "en"),
)
TITLES = tuple(item.title for item in LISTS)

# The person columns of `unseen import`, as the generator fills them; not `truth`, not `employer`.
COLUMNS = (
    "record_id", "source", "full_name", "given_name", "family_name", "name_hangul", "sex",
    "birth_date", "birth_year", "birth_place", "address", "identifier", "nationality", "country",
    "site", "first_seen", "last_seen",
)  # fmt: skip


def workers_table(persons: int = PERSONS, seed: int = SEED) -> Table:
    """The generated records as import rows: sources by their demo titles, nationality as a code."""
    frame = generate_workers(persons, seed=seed, sources=len(LISTS))
    titles = {item.generated: item.title for item in LISTS}
    frame = frame.assign(source=frame["source"].map(titles), nationality="KP")
    cells = frame[list(COLUMNS)].astype("string").fillna("")
    rows = [
        (number, dict(zip(COLUMNS, values, strict=True)))
        for number, values in enumerate(cells.itertuples(index=False, name=None), start=2)
    ]
    return Table(list(COLUMNS), rows)


def load_lists() -> dict[str, int]:
    """Create the three synthetic lists and their persons; returns how many of each."""
    for item in LISTS:
        Source.objects.create(
            kind=item.kind,
            title=item.title,
            reliability=Reliability(item.reliability),
            language=item.language,
            notes=NOTES.format(seed=SEED),
            access_level=AccessLevel.CONFIDENTIAL,
            is_synthetic=True,
        )
    result = import_table(
        workers_table(), "persons", default_access_level=AccessLevel.CONFIDENTIAL, synthetic=True
    )
    return {"lists": len(LISTS), **result.created}
