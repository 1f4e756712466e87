/* Forest plots of saved estimates: one row per method, its estimate as a point and its interval as
   a bar. Reads the JSON embedded in each [data-forest] section; plain ES2017, no build step.
   An interval with no upper limit (null) is drawn to the right edge. */
(function () {
  "use strict";

  const INK = "#1d2330";
  const ACCENT = "#8a2c2c";

  function number(value) {
    return Math.round(Number(value)).toLocaleString("en-GB");
  }

  function draw(section) {
    const embedded = section.querySelector("script[type='application/json']");
    const rows = embedded ? JSON.parse(embedded.textContent) : [];
    const canvas = section.querySelector("canvas");
    if (!rows.length || !canvas) {
      section.dataset.state = "empty";
      return null;
    }
    const finite = [];
    rows.forEach(function (r) {
      finite.push(r.estimate, r.low);
      if (r.high !== null) finite.push(r.high);
    });
    const unbounded = rows.some(function (r) { return r.high === null; });
    const edge = Math.max.apply(null, finite) * (unbounded ? 1.08 : 1);
    const box = section.querySelector(".chart-box");
    if (box) box.style.height = (6 + rows.length * 2.4) + "rem";
    const labels = rows.map(function (r) { return r.method; });
    const chart = new Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          {
            type: "bar", label: "Interval", order: 2,
            data: rows.map(function (r) { return [r.low, r.high === null ? edge : r.high]; }),
            backgroundColor: "rgba(138,44,44,0.28)", borderColor: ACCENT, borderWidth: 1,
            barPercentage: 0.45, categoryPercentage: 1.0,
          },
          {
            type: "line", label: "Estimate", order: 1,
            data: rows.map(function (r) { return r.estimate; }),
            showLine: false, pointStyle: "rectRot", pointRadius: 7, pointHoverRadius: 8,
            backgroundColor: INK, borderColor: "#fff", borderWidth: 1,
          },
        ],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: {
          x: {
            beginAtZero: false, suggestedMax: unbounded ? edge : undefined,
            title: { display: true, text: "Population size (observed included)" },
            ticks: { callback: function (v) { return number(v); } },
          },
          y: { type: "category" },
        },
        plugins: {
          legend: { display: true },
          tooltip: {
            callbacks: {
              label: function (item) {
                const r = rows[item.dataIndex];
                const high = r.high === null ? "∞" : number(r.high);
                return r.method + (r.model ? " " + r.model : "") + ": " + number(r.estimate) +
                  " (" + Math.round(r.level * 100) + "% " + r.kind + " " + number(r.low) + "–" + high + ")";
              },
            },
          },
        },
      },
    });
    section.dataset.state = "ready";
    return chart;
  }

  function start() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("[data-forest]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
