"""Benchmark: `unseen xref` of 10,000 organisations against 5,000 list entities, end to end.

Generates a list of N entities (5,000 by default) as FollowTheMoney JSON lines and M
organisations (10,000) as an organisations CSV, with a fixed seed: romanised Korean company
names built from the words such names are made of, in several host countries; one organisation in
ten is a variant of a listed entity (another romanisation, the Hangul, the legal form dropped or
changed, an abbreviation) so that the run has true candidates to find. It migrates a fresh
database in a temporary UNSEEN_VAR_DIR, imports the organisations and loads the list (each timed,
as processes of their own), then times `unseen xref --list bench --json`: gathering the records
from the database, scoring, writing the candidates and the run, as a user runs it.

    .venv/bin/python benchmarks/bench_xref_run.py [--organisations M] [--entities N] [--json OUT]
"""

import argparse
import csv
import json
import os
import random
import resource
import shutil
import tempfile
from pathlib import Path

from harness import ROOT, Figure, Result, Run, run_timed, unseen_command

TARGET_SECONDS = 30.0  # issue 20: 10,000 organisations against 5,000 list entities under 30 s
DEFAULT_ORGANISATIONS = 10_000
DEFAULT_ENTITIES = 5_000

# Words North Korean company names are made of (romanised as the lists print them), and the
# Hangul of some, so that variants can be written in either script.
PROPER = [
    "Mansudae", "Rungrado", "Cholsan", "Namgang", "Kumgang", "Paektu", "Chongbong", "Ryonbong",
    "Tanchon", "Kwangmyong", "Sobaeksu", "Kuryonggang", "Haegumgang", "Moranbong", "Taesong",
    "Unha", "Chollima", "Songi", "Pyongyang", "Hwasong", "Sinhung", "Osong", "Ilsim", "Kyongsong",
    "Myohyang", "Jangsu", "Daehung", "Saebyol", "Rason", "Chongryu", "Amrokgang", "Tumangang",
    "Puhung", "Hana", "Korea", "Kangsong", "Ryugyong", "Sinsong", "Migum", "Pothonggang",
]  # fmt: skip
HANGUL = {
    "Mansudae": "만수대", "Rungrado": "릉라도", "Cholsan": "철산", "Namgang": "남강",
    "Kumgang": "금강", "Paektu": "백두", "Ryonbong": "련봉", "Moranbong": "모란봉",
    "Chollima": "천리마", "Pyongyang": "평양", "Korea": "조선",
}  # fmt: skip
SECTOR = [
    ("General Trading Corporation", "무역총회사"),
    ("Trading Company", "무역회사"),
    ("Construction Company", "건설회사"),
    ("Overseas Project Group", "해외개발그룹"),
    ("Development Company", "개발회사"),
    ("Mining Corporation", "광업회사"),
    ("Joint Venture Company", "합영회사"),
    ("Technology Company", "기술회사"),
]
LEGAL = ["", "Co., Ltd.", "LLC", "Ltd", "Sp. z o.o.", "Corporation", "Group"]
COUNTRIES = ["KP", "KP", "KP", "RU", "CN", "AE", "PL", "KW", "QA", "MN", "LA", "VN"]
COUNT_QUERY = (
    "import json; "
    "from unseen.registry.models import Organisation; "
    "from unseen.sanctions.models import ListedEntity, XrefCandidate; "
    "print(json.dumps({'organisations': Organisation.objects.count(), "
    "'entities': ListedEntity.objects.count(), 'candidates': XrefCandidate.objects.count()}))"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--organisations",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_XREF_ORGANISATIONS", DEFAULT_ORGANISATIONS)),
    )
    parser.add_argument(
        "--entities",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_XREF_ENTITIES", DEFAULT_ENTITIES)),
    )
    parser.add_argument("--seed", type=int, default=1718)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def company_name(rng: random.Random) -> tuple[str, str, str, str]:
    """(name, Hangul or "", country, the name's proper words): one generated company."""
    words = rng.sample(PROPER, rng.choice([1, 1, 2]))
    sector, sector_hangul = rng.choice(SECTOR)
    legal = rng.choice(LEGAL)
    name = " ".join([*words, sector, legal]).strip()
    hangul = ""
    if all(word in HANGUL for word in words):
        hangul = "".join(HANGUL[word] for word in words) + sector_hangul
    return name, hangul, rng.choice(COUNTRIES), " ".join(words)


def variant(rng: random.Random, name: str, hangul: str, words: str) -> str:
    """Another way a record may write a listed name."""
    shapes = [
        lambda: name.replace("Co., Ltd.", "").replace("LLC", "").strip(),
        lambda: name.replace("Corporation", "Corp.").replace("Company", "Co."),
        lambda: name.replace("ch", "j", 1).replace("o", "ŏ", 1),
        lambda: hangul or name.upper(),
        lambda: f"{words} {rng.choice(SECTOR)[0]}",
    ]
    return rng.choice(shapes)()


def generate(folder: Path, organisations: int, entities: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    listed = []
    with (folder / "entities.ftm.json").open("w", encoding="utf-8") as handle:
        for n in range(entities):
            name, hangul, country, words = company_name(rng)
            entity_id = f"bench-{n:05d}"
            properties = {"name": [name], "country": [country.lower()]}
            if hangul:
                properties["alias"] = [hangul]
            handle.write(
                json.dumps({"id": entity_id, "schema": "Company", "properties": properties})
            )
            handle.write("\n")
            sanction = {
                "entity": [entity_id],
                "authority": ["Benchmark authority"],
                "program": ["BENCH"],
                "listingDate": [f"{rng.randint(2006, 2024)}-{rng.randint(1, 12):02d}"],
            }
            handle.write(
                json.dumps(
                    {"id": f"{entity_id}-s", "schema": "Sanction", "properties": sanction},
                    ensure_ascii=False,
                )
            )
            handle.write("\n")
            listed.append((name, hangul, country, words))
    variants = 0
    with (folder / "organisations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "kind", "country", "aliases", "access_level"])
        for _ in range(organisations):
            if rng.random() < 0.1:
                name, hangul, country, words = rng.choice(listed)
                name, variants = variant(rng, name, hangul, words), variants + 1
            else:
                name, hangul, country, words = company_name(rng)
            writer.writerow([name[:300], "trading_company", country, "", "internal"])
    return {"organisations": organisations, "entities": entities, "variants": variants}


def bench_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        UNSEEN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="unseen.config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-xref-"))
    result = Result("xref_run")
    env = bench_env(folder / "var")
    unseen = unseen_command()

    def run(label: str, command: list[str]) -> Run:
        return run_timed([unseen, *command], env, ROOT, folder / "logs" / label).check()

    try:
        result.details["generated"] = generate(folder, args.organisations, args.entities, args.seed)
        result.details["seed"] = args.seed
        run("migrate", ["migrate", "--no-input", "-v0"])
        run("keys", ["keys", "init"])
        imported = run(
            "import", ["import", str(folder / "organisations.csv"), "--kind", "organisations"]
        )
        loaded = run(
            "load",
            [
                "lists", "load", str(folder / "entities.ftm.json"), "--list", "bench",
                "--title", "Benchmark list", "--authority", "Benchmark authority",
                "--version", "1",
            ],
        )  # fmt: skip
        result.details["import_seconds"] = round(imported.seconds, 3)
        result.add(Figure("lists load (entities.ftm.json)", loaded.seconds, "s"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        xref = run("xref", ["xref", "--list", "bench", "--json"])
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # Processor time of the command and of the scorer's forked processes: the wall clock on a
        # shared machine says as much about the others' work as about this one.
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        result.details["xref_cpu_seconds"] = round(cpu, 2)
        result.add(
            Figure(
                f"unseen xref: {args.organisations:,} organisations x {args.entities:,} entities",
                xref.seconds,
                "s",
                TARGET_SECONDS,
            )
        )
        [document] = json.loads(xref.stdout.strip().splitlines()[-1])
        result.add(Figure("unseen xref: processor time (all processes)", cpu, "s"))
        result.details["run"] = {
            "counts": document["counts"],
            "max_rss_mb": round(xref.max_rss_mb, 1),
        }
        counts = json.loads(run("counts", ["shell", "-v0", "-c", COUNT_QUERY]).stdout)
        result.details["database"] = counts
        if counts["organisations"] != args.organisations or counts["entities"] != args.entities:
            raise SystemExit(f"bench_xref_run: the database holds {counts}")
        print(
            f"{document['counts']['candidates']:,} candidates for "
            f"{result.details['generated']['variants']:,} planted variants",
            flush=True,
        )
    finally:
        result.details["folder"] = str(folder) if args.keep else None
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
