import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import networkx
import pytest

from unseen.core import network
from unseen.core.dates import Precision
from unseen.core.network import Edge, Node

D = dt.date
GEXF = "{http://gexf.net/1.3}"


def org(number, **fields):
    return Node(f"organisation:{number}", "organisation", f"Org {number}", **fields)


def edge(number, source, target, **fields):
    fields.setdefault("kind", "owns")
    fields.setdefault("label", fields["kind"])
    return Edge(f"relation:{number}", source, target, **fields)


class ValidOnTests:
    def test_an_open_edge_holds_always(self):
        assert network.valid_on(edge(1, "a", "b"), D(1950, 1, 1))

    def test_the_start_and_end_days_are_inside(self):
        e = edge(1, "a", "b", start=D(2016, 3, 1), end=D(2019, 6, 30))
        assert network.valid_on(e, D(2016, 3, 1))
        assert network.valid_on(e, D(2019, 6, 30))
        assert not network.valid_on(e, D(2016, 2, 29))
        assert not network.valid_on(e, D(2019, 7, 1))

    def test_an_end_known_to_the_year_covers_the_whole_year(self):
        e = edge(1, "a", "b", end=D(2019, 1, 1), end_precision=Precision.YEAR)
        assert network.valid_on(e, D(2019, 12, 31))
        assert not network.valid_on(e, D(2020, 1, 1))

    def test_an_end_known_to_the_month_covers_the_whole_month(self):
        e = edge(1, "a", "b", end=D(2020, 2, 1), end_precision="month")
        assert network.valid_on(e, D(2020, 2, 29))
        assert not network.valid_on(e, D(2020, 3, 1))

    def test_an_end_known_to_december_ends_on_new_years_eve(self):
        e = edge(1, "a", "b", end=D(2019, 12, 1), end_precision="month")
        assert network.last_day(e) == D(2019, 12, 31)

    def test_a_start_known_to_the_year_begins_on_1_january(self):
        e = edge(1, "a", "b", start=D(2016, 1, 1), start_precision=Precision.YEAR)
        assert network.valid_on(e, D(2016, 1, 1))
        assert not network.valid_on(e, D(2015, 12, 31))

    def test_as_of_keeps_only_the_edges_valid_that_day(self):
        early = edge(1, "a", "b", end=D(2015, 1, 1), end_precision="year")
        late = edge(2, "a", "b", start=D(2018, 1, 1))
        assert network.as_of([early, late], D(2015, 7, 1)) == [early]
        assert network.as_of([early, late], D(2018, 7, 1)) == [late]
        assert network.as_of([early, late], None) == [early, late]


class GradesTests:
    def test_the_minimum_is_the_reliability_letter(self):
        a = edge(1, "a", "b", best_grade="A6")
        c = edge(2, "a", "b", best_grade="C1")
        f = edge(3, "a", "b", best_grade="F2")
        assert network.min_grade([a, c, f], "C") == [a, c]
        assert network.min_grade([a, c, f], "B3") == [a]
        assert network.min_grade([a, c, f], "F") == [a, c, f]

    def test_an_ungraded_edge_drops_once_a_minimum_is_set(self):
        bare = edge(1, "a", "b")
        assert network.min_grade([bare], "F") == []
        assert network.min_grade([bare], None) == [bare]

    def test_a_bad_grade_is_refused(self):
        with pytest.raises(ValueError, match="Admiralty"):
            network.min_grade([], "G")

    def test_the_best_grade_puts_reliability_before_credibility(self):
        assert network.best_grade(["C1", "B3", "", "B2"]) == "B2"
        assert network.best_grade(["", ""]) == ""


class AggregateTests:
    def derived(self, number, start, end, sources, grade):
        return Edge(
            f"deployment:{number}",
            "organisation:1",
            "organisation:2",
            "dispatches_workers_to",
            "dispatches workers to",
            start=start,
            end=end,
            end_precision="year",
            sources=frozenset(sources),
            best_grade=grade,
        )

    def test_overlapping_edges_of_a_pair_merge_and_count_each_source_once(self):
        one = self.derived(1, D(2014, 1, 1), D(2016, 1, 1), {10, 11}, "C3")
        two = self.derived(2, D(2016, 1, 1), D(2018, 1, 1), {11, 12}, "B2")
        [merged] = network.aggregate([one, two])
        assert merged.id == "deployment:1"
        assert merged.members == ("deployment:1", "deployment:2")
        assert merged.sources == frozenset({10, 11, 12})
        assert merged.best_grade == "B2"
        assert (merged.start, merged.end, merged.end_precision) == (
            D(2014, 1, 1),
            D(2018, 1, 1),
            "year",
        )

    def test_touching_periods_merge_but_a_gap_keeps_two_edges(self):
        one = self.derived(1, D(2010, 1, 1), D(2012, 1, 1), {1}, "B2")
        touching = self.derived(2, D(2013, 1, 1), D(2013, 1, 1), {2}, "B2")
        later = self.derived(3, D(2018, 1, 1), None, {3}, "B2")
        merged = network.aggregate([later, one, touching])
        assert [e.id for e in merged] == ["deployment:3", "deployment:1"]
        assert merged[1].members == ("deployment:1", "deployment:2")
        assert not network.as_of(merged, D(2015, 6, 1))

    def test_an_open_end_swallows_what_follows(self):
        open_ = self.derived(1, D(2010, 1, 1), None, {1}, "B2")
        later = self.derived(2, D(2018, 1, 1), D(2019, 1, 1), {2}, "B2")
        [merged] = network.aggregate([open_, later])
        assert merged.end is None

    def test_different_kinds_directions_and_unmergeable_edges_stay_apart(self):
        one = self.derived(1, None, None, {1}, "B2")
        other_kind = Edge("relation:7", "organisation:1", "organisation:2", "contracts_with", "x")
        reverse = Edge("deployment:8", "organisation:2", "organisation:1", one.kind, "x")
        relation = Edge("relation:9", "organisation:1", "organisation:2", one.kind, "x")
        kept = network.aggregate(
            [one, other_kind, reverse, relation], mergeable=lambda e: e.id.startswith("deployment:")
        )
        assert [e.id for e in kept] == ["deployment:1", "relation:7", "deployment:8", "relation:9"]


class NeighbourhoodTests:
    def chain(self, length):
        nodes = [org(i) for i in range(length)]
        edges = [edge(i, f"organisation:{i}", f"organisation:{i + 1}") for i in range(length - 1)]
        return nodes, edges

    def test_it_goes_depth_links_either_way(self):
        nodes, edges = self.chain(7)
        sub = network.neighbourhood(nodes, edges, ["organisation:3"], depth=2)
        assert [n.id for n in sub.nodes] == [f"organisation:{i}" for i in (3, 2, 4, 1, 5)]
        assert len(sub.edges) == 4
        assert not sub.truncated

    def test_the_limit_keeps_the_nearest_and_says_it_cut(self):
        nodes, edges = self.chain(7)
        sub = network.neighbourhood(nodes, edges, ["organisation:3"], depth=3, limit=4)
        assert {n.id for n in sub.nodes} == {f"organisation:{i}" for i in (1, 2, 3, 4)}
        assert sub.truncated
        assert all(e.source in {n.id for n in sub.nodes} for e in sub.edges)

    def test_reaching_the_limit_exactly_is_not_a_cut(self):
        nodes, edges = self.chain(3)
        sub = network.neighbourhood(nodes, edges, ["organisation:0"], depth=5, limit=3)
        assert len(sub.nodes) == 3
        assert not sub.truncated

    def test_a_focus_the_reader_cannot_see_gives_nothing(self):
        nodes, edges = self.chain(3)
        sub = network.neighbourhood(nodes, edges, ["organisation:99"], depth=2)
        assert sub == network.Subgraph([], [], False)

    def test_without_a_focus_the_most_connected_are_kept(self):
        hub = org(0)
        spokes = [org(i) for i in range(1, 6)]
        edges = [edge(i, "organisation:0", f"organisation:{i}") for i in range(1, 4)]
        sub = network.neighbourhood([*spokes, hub], edges, limit=4)
        assert sub.truncated
        assert {n.id for n in sub.nodes} == {f"organisation:{i}" for i in range(4)}
        assert len(sub.edges) == 3


def test_an_edge_with_an_absent_end_is_absent():
    nodes = [org(1), org(2)]
    edges = [
        edge(1, "organisation:1", "organisation:2"),
        edge(2, "organisation:1", "organisation:3"),
        edge(3, "person:4", "organisation:2"),
    ]
    assert [e.id for e in network.drop_dangling(nodes, edges)] == ["relation:1"]
    assert [e["id"] for e in network.to_json(nodes, edges)["edges"]] == ["relation:1"]


def test_the_json_is_the_contract():
    nodes = [
        org(12, designated=True, url="/app/organisations/12/", country="RU"),
        Node("site:3", "site", "Site"),
    ]
    e = edge(
        5,
        "organisation:12",
        "site:3",
        label="owns (51%)",
        start=D(2016, 1, 1),
        start_precision="year",
        end=D(2019, 1, 1),
        end_precision="year",
        sources=frozenset({4, 9}),
        best_grade="B2",
        url="/app/relations/5/",
    )
    data = network.to_json(nodes, [e], as_of=D(2018, 6, 30), min_grade="c", truncated=True)
    assert json.loads(json.dumps(data)) == {
        "as_of": "2018-06-30",
        "min_grade": "C",
        "nodes": [
            {
                "id": "organisation:12",
                "kind": "organisation",
                "label": "Org 12",
                "designated": True,
                "url": "/app/organisations/12/",
                "country": "RU",
            },
            {
                "id": "site:3",
                "kind": "site",
                "label": "Site",
                "designated": False,
                "url": None,
                "country": "",
            },
        ],
        "edges": [
            {
                "id": "relation:5",
                "source": "organisation:12",
                "target": "site:3",
                "kind": "owns",
                "label": "owns (51%)",
                "start": "2016-01-01",
                "end": "2019-12-31",
                "sources": 2,
                "best_grade": "B2",
                "url": "/app/relations/5/",
            }
        ],
        "truncated": True,
        "counts": {"nodes": 2, "edges": 1},
    }


class GexfTests:
    def test_it_parses_and_carries_dynamic_intervals_and_attributes(self):
        nodes = [org(1, designated=True, country="KP"), Node("person:2", "person", "P-00002\x07")]
        edges = [
            edge(
                1,
                "organisation:1",
                "person:2",
                kind="employs",
                start=D(2016, 1, 1),
                end=D(2019, 1, 1),
                end_precision="year",
                sources=frozenset({1, 2, 3}),
            ),
            edge(2, "person:2", "organisation:1", kind="member_of"),
            edge(3, "organisation:1", "site:9"),
        ]
        # Our own output, not untrusted input.
        root = ET.fromstring(network.to_gexf(nodes, edges, description="as of 2018"))  # noqa: S314
        assert root.tag == f"{GEXF}gexf"
        assert root.get("version") == "1.3"
        graph = root.find(f"{GEXF}graph")
        assert graph.get("mode") == "dynamic"
        assert graph.get("timeformat") == "date"
        declared = {
            (group.get("class"), a.get("id"))
            for group in graph.findall(f"{GEXF}attributes")
            for a in group.findall(f"{GEXF}attribute")
        }
        assert declared >= {
            ("node", "kind"),
            ("node", "designated"),
            ("edge", "relation"),
            ("edge", "sources"),
        }
        node_elements = graph.findall(f"{GEXF}nodes/{GEXF}node")
        assert [n.get("label") for n in node_elements] == ["Org 1", "P-00002"]
        values = {v.get("for"): v.get("value") for v in node_elements[0].iter(f"{GEXF}attvalue")}
        assert values == {"kind": "organisation", "designated": "true", "country": "KP"}
        edge_elements = graph.findall(f"{GEXF}edges/{GEXF}edge")
        assert [e.get("id") for e in edge_elements] == ["relation:1", "relation:2"]
        dated, open_ = edge_elements
        assert (dated.get("start"), dated.get("end"), dated.get("weight")) == (
            "2016-01-01",
            "2019-12-31",
            "3",
        )
        assert open_.get("start") is None and open_.get("end") is None
        edge_values = {v.get("for"): v.get("value") for v in dated.iter(f"{GEXF}attvalue")}
        assert edge_values == {"relation": "employs", "sources": "3"}

    def test_names_with_quotes_markup_and_newlines_survive_and_gephi_readers_read_it(self):
        label = 'Korea "Ryonbong" <General> & Co\nLtd'
        nodes = [Node("organisation:1", "organisation", label), Node("site:2", "site", "Site")]
        edges = [
            edge(
                1,
                "organisation:1",
                "site:2",
                kind="operates_site",
                start=D(2016, 1, 1),
                url="/app/relations/1/?a=1&b=2",
            )
        ]
        graph = networkx.read_gexf(io.BytesIO(network.to_gexf(nodes, edges)), version="1.3")
        assert graph.nodes["organisation:1"]["label"] == label
        [(_source, _target, data)] = graph.edges(data=True)
        assert data["start"] == "2016-01-01"
        assert "end" not in data
        assert data["url"] == "/app/relations/1/?a=1&b=2"


def test_ten_thousand_nodes_and_thirty_thousand_edges_are_all_drawn():
    # How fast is benchmarks/bench_network.py's to say (a timed test fails on a busy machine).
    nodes = [org(i, designated=i % 50 == 0) for i in range(10_000)]
    edges = [
        edge(
            i,
            f"organisation:{i % 10_000}",
            f"organisation:{(i * 7 + 1) % 10_000}",
            start=D(2000 + i % 20, 1, 1),
            end=D(2010 + i % 15, 1, 1),
            end_precision="year",
            sources=frozenset({i % 97, i % 89}),
            best_grade="ABCDEF"[i % 6] + "2",
        )
        for i in range(30_000)
    ]
    kept = network.min_grade(network.as_of(network.aggregate(edges), D(2012, 6, 1)), "D")
    sub = network.neighbourhood(nodes, kept, limit=10_000)
    data = network.to_json(sub.nodes, sub.edges)
    assert data["counts"]["nodes"] == 10_000
    assert data["counts"]["edges"] == len(kept) > 0
