"""SYNTHETIC worker records for testing linkage: invented people, with the truth known.

Nothing here describes a real person. The names are drawn from realistic distributions (family
names by their census share, given-name syllables common in the North), so different people often
share a name — Kim Chol Su is many people — which is what makes linkage hard. Sites and companies
are invented too (real city names, made-up workplaces).

Each person is a North Korean worker sent abroad (mostly men born 1970–2000, in Russia, China, the
Gulf, Mongolia or Poland). Each source lists a random subset of the people, each at most once, and
writes them its own way:

- "interviews": South Korean interviewers, Western passport habits (Lee Chul-soo), some given-first;
- "roster": a leaked roster, the North's spelling (RI Chol Su) in separate columns, some in Hangul;
- "press": McCune–Reischauer with diacritics (Yi Ch'ŏl-su), often "Ch'ŏl-su Yi", birth year only;
- "registry": Hangul only (리철수), full birth dates;
- "sightings": strict Revised Romanisation without hyphens (I Cheolsu), few other fields.

More sources cycle through these styles. Names get typos at `typo_rate`, birth dates go missing or
keep only the year, a few dates have day and month swapped, people move between sites, and each
source calls a site and a company by one of their several names (English, Russian, Chinese, Korean).

The package: `romanisation` (syllables and spellings), `sources` (who lists whom and how),
`sites` (workplaces, companies, birth places), `corruption` (typos, swapped dates) and
`workers` (`generate_workers`, `split_by_source`). Every public name is importable from here.
"""

from unseen.core.linkage.synthetic.romanisation import (
    FEMALE_SYLLABLES,
    MALE_SYLLABLES,
    STYLES,
    WESTERN_FAMILY,
    romanise_name,
    south_form,
)
from unseen.core.linkage.synthetic.sources import PROFILES, SourceProfile
from unseen.core.linkage.synthetic.workers import COLUMNS, generate_workers, split_by_source

__all__ = [
    "COLUMNS",
    "FEMALE_SYLLABLES",
    "MALE_SYLLABLES",
    "PROFILES",
    "STYLES",
    "WESTERN_FAMILY",
    "SourceProfile",
    "generate_workers",
    "romanise_name",
    "south_form",
    "split_by_source",
]
