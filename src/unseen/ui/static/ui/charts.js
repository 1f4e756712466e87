/* The charts: workers by host over time as low–high bands, sectors, wages and share taken.
   Reads the data embedded in the page (#chart-data) or from data-url; plain ES2017, no build step.
   Clicking a band or bar lists the sources behind it below the chart. */
(function () {
  "use strict";

  const COLOURS = ["#8a2c2c", "#1f5f8b", "#b36b00", "#3d7a3d", "#6b4c9a", "#a33d7a", "#2f7f7f", "#7a6a2f", "#555f6e", "#c05a2b", "#4d6fb3", "#8f8f2f", "#999"];
  const BANDS = 8; // hosts drawn as bands; every host is in the table below the chart

  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function number(value) {
    return Number(value).toLocaleString("en-GB");
  }

  function range(low, high, format) {
    const f = format || number;
    if (low === null && high === null) return "—";
    if (low === null) return "≤ " + f(high);
    if (high === null) return "≥ " + f(low);
    if (low === high) return f(low);
    return f(low) + "–" + f(high);
  }

  function percent(value) {
    return Math.round(value * 100) + " %";
  }

  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function showSources(section, heading, ids, sources) {
    const panel = section.querySelector(".chart-sources");
    const items = (ids || []).map(function (id) { return sources[String(id)]; }).filter(Boolean);
    const list = items.length ? "<ul>" + items.map(function (s) {
      const link = s.app_url || s.url;
      const title = link ? "<a href=\"" + esc(link) + "\"" + (s.app_url ? "" : " rel=\"noopener noreferrer\"") + ">" + esc(s.title) + "</a>" : esc(s.title);
      return "<li>" + title + " <span class=\"muted\">(" + esc(s.kind) + ", reliability " + esc(s.reliability) + ")</span></li>";
    }).join("") + "</ul>" : "<p class=\"muted\">No sources you may read.</p>";
    panel.innerHTML = "<p><strong>" + esc(heading) + "</strong> — sources:</p>" + list;
    section.dataset.shownSources = (ids || []).join(" ");
  }

  function onPick(section, pick) {
    return function (event, elements) {
      if (!elements.length) return;
      const found = pick(elements[0].datasetIndex, elements[0].index);
      if (found) showSources(section, found.heading, found.ids, found.sources);
    };
  }

  function workersChart(section, data) {
    const series = data.workers.slice(0, BANDS);
    const datasets = [];
    series.forEach(function (s, i) {
      const colour = COLOURS[i % COLOURS.length];
      const points = s.points;
      // A year no source gives a figure for is null in both lines and breaks the band there
      // (spanGaps: false): a line across it would show figures nobody gave.
      const low = function (p) { return p.no_data ? null : (p.low !== null ? p.low : 0); };
      const high = function (p) { return p.no_data ? null : (p.high !== null ? p.high : p.low); };
      // Low line first, then the high line filled down to it: a band per host.
      datasets.push({
        label: s.label + " (lowest)", data: points.map(function (p) { return { x: p.year, y: low(p) }; }),
        borderColor: colour, borderWidth: 1, pointRadius: 2, fill: false, series: i, lowLine: true, tension: 0, spanGaps: false,
      });
      datasets.push({
        label: s.label, data: points.map(function (p) { return { x: p.year, y: high(p) }; }),
        borderColor: colour, backgroundColor: alpha(colour, 0.25), borderWidth: 1.5, pointRadius: 3, fill: "-1", series: i, tension: 0, spanGaps: false,
      });
    });
    return new Chart(section.querySelector("canvas"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        maintainAspectRatio: false,
        spanGaps: false,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", ticks: { precision: 0, callback: function (v) { return String(v); } }, title: { display: true, text: "Year" } },
          y: { beginAtZero: true, title: { display: true, text: "Workers" } },
        },
        plugins: {
          legend: { labels: { filter: function (item, chart) { return !chart.datasets[item.datasetIndex].lowLine; } } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? series[items[0].dataset.series].label + ", " + items[0].raw.x : ""; },
              label: function (item) {
                const p = series[item.dataset.series].points[item.dataIndex];
                return range(p.low, p.high) + " workers (" + p.records + " figure" + (p.records === 1 ? "" : "s") + ")";
              },
            },
          },
        },
        onClick: onPick(section, function (datasetIndex, index) {
          const s = series[datasets[datasetIndex].series];
          const p = s.points[index];
          if (p.no_data) return null;
          return { heading: s.label + ", " + p.year + ": " + range(p.low, p.high) + " workers", ids: p.source_ids, sources: data.sources };
        }),
      },
    });
  }

  function sectorsChart(section, data) {
    const hosts = data.sectors.hosts.slice(0, 15);
    const categories = data.sectors.categories;
    const datasets = categories.map(function (c, i) {
      return {
        label: c.label, backgroundColor: COLOURS[i % COLOURS.length],
        data: hosts.map(function (h) { return h.categories[c.key] ? h.categories[c.key].records : 0; }),
      };
    });
    return new Chart(section.querySelector("canvas"), {
      type: "bar",
      data: { labels: hosts.map(function (h) { return h.label; }), datasets: datasets },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { precision: 0 }, title: { display: true, text: "Records naming the sector" } }, y: { stacked: true } },
        onClick: onPick(section, function (datasetIndex, index) {
          const category = categories[datasetIndex], host = hosts[index];
          const cell = host.categories[category.key];
          return cell ? { heading: host.label + ": " + category.label + " (" + cell.records + " records)", ids: cell.source_ids, sources: data.sources } : null;
        }),
      },
    });
  }

  function rangeChart(section, rows, sources, axis, format) {
    const shown = rows.slice(0, 25);
    return new Chart(section.querySelector("canvas"), {
      type: "bar",
      data: {
        labels: shown.map(function (r) { return r.label; }),
        datasets: [{
          label: axis, backgroundColor: alpha(COLOURS[0], 0.6), borderColor: COLOURS[0], borderWidth: 1, minBarLength: 4,
          data: shown.map(function (r) { return [r.low, r.high]; }),
        }],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, title: { display: true, text: axis }, ticks: { callback: function (v) { return format(v); } } } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { const r = shown[item.dataIndex]; return range(r.low, r.high, format) + " (" + r.records + " records)"; } } },
        },
        onClick: onPick(section, function (datasetIndex, index) {
          const r = shown[index];
          return { heading: r.label + ": " + range(r.low, r.high, format), ids: r.source_ids, sources: sources };
        }),
      },
    });
  }

  function draw(root, data) {
    const section = function (name) { return root.querySelector("[data-chart=" + name + "]"); };
    // A page may show some of the charts only (a site's page: its workers over time).
    const made = [
      section("workers") && workersChart(section("workers"), data),
      section("sectors") && sectorsChart(section("sectors"), data),
      section("wages") && rangeChart(section("wages"), data.wages, data.sources, "US dollars a month", number),
      section("shares") && rangeChart(section("shares"), data.shares, data.sources, "Share of the wage taken", percent),
    ];
    root.querySelectorAll(".chart-sources").forEach(function (panel) {
      if (!panel.innerHTML) panel.innerHTML = "<span class=\"hint\">Click a band or bar to list its sources here.</span>";
    });
    root.dataset.state = "ready";
    return made;
  }

  function init(root) {
    if (typeof Chart === "undefined") return;
    const embedded = root.querySelector("#chart-data");
    if (embedded) {
      draw(root, JSON.parse(embedded.textContent));
      return;
    }
    fetch(root.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) { draw(root, data); });
  }

  function start() {
    document.querySelectorAll("[data-charts]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
