/* The revenue pages' charts: the total's histogram, intervals (by country, scenarios) and the
   tornado. Reads the JSON embedded in each [data-revenue-chart] section; plain ES2017, no build. */
(function () {
  "use strict";

  const INK = "#1d2330";
  const ACCENT = "#8a2c2c";
  const FILL = "rgba(138,44,44,0.28)";

  function money(value) {
    const v = Number(value);
    if (Math.abs(v) >= 1e9) return "$" + (v / 1e9).toFixed(2) + " bn";
    return "$" + (v / 1e6).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + " m";
  }

  function moneyAxis(title) {
    return { title: { display: true, text: title }, ticks: { callback: function (v) { return money(v); } } };
  }

  function histogram(data) {
    const bins = data.bins || [];
    return {
      type: "bar",
      data: {
        labels: bins.map(function (b) { return money((b.low + b.high) / 2); }),
        datasets: [{ label: "Draws", data: bins.map(function (b) { return b.count; }),
          backgroundColor: FILL, borderColor: ACCENT, borderWidth: 1,
          barPercentage: 1.0, categoryPercentage: 1.0 }],
      },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: { x: { title: { display: true, text: "Revenue to the state (USD a year)" } },
          y: { title: { display: true, text: "Draws" }, beginAtZero: true } },
        plugins: { legend: { display: false },
          tooltip: { callbacks: { title: function (items) {
            const b = bins[items[0].dataIndex];
            return money(b.low) + "–" + money(b.high);
          } } } },
      },
      rows: bins.length,
    };
  }

  function intervals(rows) {
    return {
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [
          { type: "bar", label: "5th–95th percentile", order: 2,
            data: rows.map(function (r) { return [r.p05, r.p95]; }),
            backgroundColor: FILL, borderColor: ACCENT, borderWidth: 1,
            barPercentage: 0.45, categoryPercentage: 1.0 },
          { type: "line", label: "Median", order: 1,
            data: rows.map(function (r) { return r.p50; }),
            showLine: false, pointStyle: "rectRot", pointRadius: 7,
            backgroundColor: INK, borderColor: "#fff", borderWidth: 1 },
        ],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: moneyAxis("USD a year"), y: { type: "category" } },
        plugins: { tooltip: { callbacks: { label: function (item) {
          const r = rows[item.dataIndex];
          return r.label + ": " + money(r.p50) + " (90%: " + money(r.p05) + "–" + money(r.p95) + ")";
        } } } },
      },
      rows: rows.length,
    };
  }

  function tornado(data) {
    const bars = data.bars || [];
    return {
      type: "bar",
      data: {
        labels: bars.map(function (b) { return b.label; }),
        datasets: [{ label: "Total with the input at its low and high end",
          data: bars.map(function (b) { return [b.total_low, b.total_high]; }),
          backgroundColor: FILL, borderColor: ACCENT, borderWidth: 1,
          barPercentage: 0.7, categoryPercentage: 1.0 }],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: moneyAxis("Total (USD a year); all medians " + money(data.base)), y: { type: "category" } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (item) {
          const b = bars[item.dataIndex];
          return (b.range ? b.range + ": " : "") + money(b.total_low) + " → " + money(b.total_high);
        } } } },
      },
      rows: bars.length,
    };
  }

  const BUILDERS = { histogram: histogram, intervals: intervals, tornado: tornado };

  function draw(section) {
    const embedded = section.querySelector("script[type='application/json']");
    const data = embedded ? JSON.parse(embedded.textContent) : null;
    const canvas = section.querySelector("canvas");
    const build = BUILDERS[section.dataset.revenueChart];
    const config = data && build ? build(data) : null;
    if (!config || !config.rows || !canvas) {
      section.dataset.state = "empty";
      return null;
    }
    const box = section.querySelector(".chart-box");
    if (box && section.dataset.revenueChart !== "histogram") box.style.height = (6 + config.rows * 2.2) + "rem";
    const chart = new Chart(canvas, { type: config.type, data: config.data, options: config.options });
    section.dataset.state = "ready";
    return chart;
  }

  function start() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("[data-revenue-chart]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
