/* The flows page: a Sankey of journeys by stage, indicators by stage, durations and a flow map.
   Reads the k-suppressed numbers embedded in the page (#flows-data); every chart has its table
   beside it in the HTML, so nothing here is the only way to read a number. Plain ES2017. */
(function () {
  "use strict";

  const COLOURS = ["#8a2c2c", "#1f5f8b", "#b36b00", "#3d7a3d", "#6b4c9a", "#a33d7a", "#2f7f7f", "#7a6a2f", "#555f6e", "#c05a2b", "#4d6fb3"];
  const STAGE_COLUMN = { recruitment: 0, vetting: 1, host: 2, exit: 3 };

  function data() {
    const element = document.getElementById("flows-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  function narrow() {
    return window.matchMedia && window.matchMedia("(max-width: 40rem)").matches;
  }

  function colourOf(key) {
    const stage = key.split(":")[0];
    return COLOURS[(STAGE_COLUMN[stage] || 0) % COLOURS.length];
  }

  function sankey(section, d) {
    const canvas = section.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined" || !d.sankey.links.length) {
      section.dataset.state = "empty";
      return;
    }
    const columns = {};
    Object.keys(d.sankey.labels).forEach(function (key) { columns[key] = STAGE_COLUMN[key.split(":")[0]] || 0; });
    // Long names are cut on the chart (the table has them whole).
    const labels = {};
    const cut = narrow() ? 14 : 28;
    Object.keys(d.sankey.labels).forEach(function (key) {
      const text = d.sankey.labels[key];
      labels[key] = text.length > cut ? text.slice(0, cut - 1) + "…" : text;
    });
    const chart = new Chart(canvas, {
      type: "sankey",
      data: {
        datasets: [{
          label: section.querySelector("h2").textContent,
          data: d.sankey.links,
          labels: labels,
          column: columns,
          colorFrom: function (c) { return c.dataset.data[c.dataIndex] ? colourOf(c.dataset.data[c.dataIndex].from) : "#999"; },
          colorTo: function (c) { return c.dataset.data[c.dataIndex] ? colourOf(c.dataset.data[c.dataIndex].to) : "#999"; },
          colorMode: "gradient",
          size: "max",
          borderWidth: 0,
          nodeWidth: 8,
          font: { size: narrow() ? 10 : 12 },
        }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                const link = item.raw;
                return d.sankey.labels[link.from] + " → " + d.sankey.labels[link.to] + ": " + link.flow + " " + d.text.testimonies;
              },
            },
          },
        },
      },
    });
    section.dataset.state = "ready";
    section.dataset.links = String(d.sankey.links.length);
    return chart;
  }

  function indicators(section, d) {
    const canvas = section.querySelector("canvas");
    const rows = d.indicators.rows.slice();
    const hasOther = d.indicators.other.some(function (v) { return v; });
    if (hasOther) rows.push({ label: d.indicators.other_label, cells: d.indicators.other });
    if (!canvas || typeof Chart === "undefined" || !rows.length) {
      section.dataset.state = "empty";
      return;
    }
    const box = section.querySelector(".chart-box");
    if (box) box.style.height = Math.max(14, 4 + rows.length * (1 + d.indicators.stages.length * 0.45)) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: d.indicators.stages.map(function (stage, i) {
          return {
            label: stage.label,
            backgroundColor: COLOURS[i % COLOURS.length],
            data: rows.map(function (r) { return r.cells[i] || 0; }),
          };
        }),
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: d.indicators.axis } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    section.dataset.state = "ready";
  }

  function durations(section, d) {
    d.durations.forEach(function (duration) {
      const pair = section.querySelector("[data-duration='" + duration.key + "']");
      const canvas = pair && pair.querySelector("canvas");
      if (!canvas || typeof Chart === "undefined" || !duration.bins.length) {
        if (pair) pair.dataset.state = "empty";
        return;
      }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: duration.bins.map(function (b) { return b.label; }),
          datasets: [{ label: duration.label, backgroundColor: "#1f5f8b", data: duration.bins.map(function (b) { return b.testimonies; }), barPercentage: 1, categoryPercentage: 0.95 }],
        },
        options: {
          maintainAspectRatio: false, animation: false,
          scales: {
            x: { title: { display: true, text: d.text.months } },
            y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: d.text.testimonies } },
          },
          plugins: { legend: { display: false }, title: { display: true, text: duration.label } },
        },
      });
      pair.dataset.state = "ready";
    });
  }

  const unwrap = window.unseenOutlines.unwrap;

  // The centre of a country's largest polygon: where its lines start or end.
  function centre(feature) {
    const g = feature.geometry;
    const polygons = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
    let best = null, bestArea = -1;
    polygons.forEach(function (polygon) {
      const ring = polygon[0];
      let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
      ring.forEach(function (p) { minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]); minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]); });
      const area = (maxX - minX) * (maxY - minY);
      if (area > bestArea) { bestArea = area; best = [(minY + maxY) / 2, (minX + maxX) / 2]; }
    });
    return best;
  }

  function flowMap(section, d) {
    const canvas = section.querySelector(".map-canvas");
    if (!canvas || typeof L === "undefined" || typeof topojson === "undefined") {
      section.dataset.state = "empty";
      return;
    }
    const map = L.map(canvas, { minZoom: 1, maxZoom: 8, zoomSnap: 0.5, scrollWheelZoom: false }).setView([40, 90], narrow() ? 1 : 2);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country outlines: Natural Earth");
    fetch(section.dataset.world).then(function (r) { return r.json(); }).then(function (topology) {
      const countries = topojson.feature(topology, topology.objects.countries);
      countries.features = countries.features.filter(function (f) { return f.id !== "010"; });
      const centres = {};
      countries.features.forEach(function (f) { unwrap(f.geometry); centres[f.id] = centre(f); });
      const hosts = {};
      d.map.forEach(function (p) { hosts[p.host_numeric] = true; hosts[p.origin_numeric] = true; });
      L.geoJSON(countries, {
        interactive: false,
        style: function (f) { return { color: "#9aa5b5", weight: 0.6, fillColor: hosts[f.id] ? "#f1dede" : "#f7f5ef", fillOpacity: 1 }; },
      }).addTo(map);
      const most = Math.max.apply(null, d.map.map(function (p) { return p.testimonies; }).concat([1]));
      const bounds = [];
      let drawn = 0;
      d.map.forEach(function (p) {
        const from = centres[p.origin_numeric], to = centres[p.host_numeric];
        if (!from || !to) return;
        const text = p.origin_label + " → " + p.host_label + ": " + p.testimonies + " " + d.text.testimonies;
        const line = L.polyline([from, to], { color: "#8a2c2c", opacity: 0.7, weight: 1.5 + 10 * p.testimonies / most, className: "flow-line" }).addTo(map);
        line.bindTooltip(text);
        L.circleMarker(to, { radius: 4, color: "#8a2c2c", weight: 1, fillOpacity: 0.9 }).bindTooltip(text).addTo(map);
        bounds.push(from, to);
        drawn += 1;
      });
      if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 4 });
      section.dataset.lines = String(drawn);
      section.dataset.state = "ready";
    }).catch(function () {
      section.dataset.state = "error";
    });
  }

  function start() {
    const d = data();
    if (!d) return;
    const parts = [
      ["[data-flows-sankey]", sankey], ["[data-flows-indicators]", indicators],
      ["[data-flows-durations]", durations], ["[data-flows-map]", flowMap],
    ];
    parts.forEach(function (part) {
      const section = document.querySelector(part[0]);
      if (!section) return;
      try { part[1](section, d); } catch (error) { section.dataset.state = "error"; }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
