/* The map: country outlines shipped with Unseen (no tile server), deployments by host country,
   sites and sightings. Reads its data from the element's data-url; plain ES2017, no build step. */
(function () {
  "use strict";

  const ACCENT = "#8a2c2c";
  const SITE = "#1f5f8b";
  const SIGHTING = "#b36b00";

  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function number(value) {
    return Number(value).toLocaleString("en-GB");
  }

  function range(low, high) {
    if (low === null && high === null) return "—";
    if (low === null) return "≤ " + number(high);
    if (high === null) return "≥ " + number(low);
    if (low === high) return number(low);
    return number(low) + "–" + number(high);
  }

  // Circle radius in pixels for a headcount: area follows the number of workers.
  function pixels(count) {
    return Math.min(40, 3 + 2.2 * Math.sqrt((count || 0) / 100));
  }

  const unwrap = window.unseenOutlines.unwrap;

  function sourceList(ids, sources) {
    const items = (ids || []).map(function (id) { return sources[String(id)]; }).filter(Boolean);
    if (!items.length) return "<p class=\"muted\">No sources you may read.</p>";
    return "<ul>" + items.map(function (s) {
      const title = esc(s.title);
      const link = s.app_url || s.url;
      const text = link ? "<a href=\"" + esc(link) + "\"" + (s.app_url ? "" : " rel=\"noopener noreferrer\"") + ">" + title + "</a>" : title;
      return "<li>" + text + " <span class=\"muted\">(" + esc(s.kind) + ", reliability " + esc(s.reliability) + ")</span>" + fileList(s.files) + "</li>";
    }).join("") + "</ul>";
  }

  // The published evidence files a source rests on, each with its credit line (as the press
  // prints it under a picture: "Photo: NASA · Public domain mark").
  function fileList(files) {
    if (!files || !files.length) return "";
    return "<ul class=\"source-files\">" + files.map(function (f) {
      const c = f.credit || {};
      const licence = c.licence_url
        ? "<a href=\"" + esc(c.licence_url) + "\" rel=\"license noopener noreferrer\">" + esc(c.licence) + "</a>"
        : esc(c.licence);
      const by = c.by ? esc(c.label) + ": " + esc(c.by) + " · " : "";
      return "<li><a href=\"" + esc(f.url) + "\">" + esc(f.title) + "</a> <span class=\"credit\">" + by + licence + "</span></li>";
    }).join("") + "</ul>";
  }

  function recordList(records, more) {
    if (!records || !records.length) return "";
    const items = records.map(function (r) {
      return "<li>" + (r.url ? "<a href=\"" + esc(r.url) + "\">" + esc(r.label) + "</a>" : esc(r.label)) + "</li>";
    }).join("");
    const rest = more > records.length ? "<li class=\"muted\">… " + number(more - records.length) + " more</li>" : "";
    return "<h5>Records</h5><ul>" + items + rest + "</ul>";
  }

  function hostPopup(host, sources) {
    const individuals = host.individuals ? "<br>" + number(host.individuals) + " documented individual(s)" : "";
    const list = host.list_url ? " <a href=\"" + esc(host.list_url) + "\">all records</a>" : "";
    const page = host.page_url ? "<p><a href=\"" + esc(host.page_url) + "\">" + esc(host.name) + ": sites, organisations and sources</a></p>" : "";
    return "<div class=\"map-popup\"><h4>" + esc(host.name) + " · " + esc(host.year) + "</h4>" +
      "<p><strong>" + range(host.workers_low, host.workers_high) + "</strong> workers" +
      " (" + number(host.figures) + " figure" + (host.figures === 1 ? "" : "s") + ")" + individuals + list + "</p>" +
      page + recordList(host.records, host.record_count) + "<h5>Sources</h5>" + sourceList(host.source_ids, sources) + "</div>";
  }

  function distance(metres) {
    return metres >= 1000 ? number(metres / 1000) + " km" : number(metres) + " m";
  }

  // A date published to the month or year is shown as such, not as the first day it is stored as.
  function observed(isoDate, precision) {
    if (precision === "year") return isoDate.slice(0, 4);
    if (precision === "month") return isoDate.slice(0, 7);
    return isoDate;
  }

  function pointPopup(item, sources) {
    const title = item.url ? "<a href=\"" + esc(item.url) + "\">" + esc(item.label) + "</a>" : esc(item.label);
    const lines = [];
    if (item.site_kind) lines.push(esc(item.site_kind));
    if (item.city || item.country_name) lines.push(esc([item.city, item.country_name].filter(Boolean).join(", ")));
    if (item.observed_from) {
      const from = observed(item.observed_from, item.observed_precision);
      const to = item.observed_to ? observed(item.observed_to, item.observed_precision) : from;
      lines.push("Observed " + esc(from) + (to !== from ? " – " + esc(to) : ""));
    }
    if (item.workers_low !== undefined && (item.workers_low !== null || item.workers_high !== null)) lines.push(range(item.workers_low, item.workers_high) + " workers");
    if (item.description) lines.push(esc(item.description));
    lines.push("Place known to within " + distance(item.radius_m) + " (" + (item.grid_km ? "pin moved to the centre of a " + number(item.grid_km) + " km square" : esc(item.precision)) + ")");
    return "<div class=\"map-popup\"><h4>" + title + "</h4><p>" + lines.join("<br>") + "</p><h5>Sources</h5>" + sourceList(item.source_ids, sources) + "</div>";
  }

  function tag(layer, attributes) {
    const element = layer.getElement && layer.getElement();
    if (!element) return;
    Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
  }

  // A marker that can be focused says it is a button and opens its popup from the keyboard too.
  function operable(layer) {
    tag(layer, { tabindex: "0", role: "button" });
    const element = layer.getElement && layer.getElement();
    if (!element) return;
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        layer.openPopup();
      }
    });
  }

  function table(data) {
    const rows = data.countries.concat(data.regions).map(function (h) {
      return "<tr><td>" + esc(h.name) + "</td><td class=\"num\">" + esc(h.year) + "</td><td class=\"num\">" +
        range(h.workers_low, h.workers_high) + "</td><td>" + (h.lat === undefined ? "not drawn (region)" : "drawn") +
        "</td><td>" + sourceList(h.source_ids, data.sources) + "</td></tr>";
    }).join("");
    const points = data.sites.concat(data.sightings, data.not_drawn).map(function (p) {
      return "<tr><td>" + (p.url ? "<a href=\"" + esc(p.url) + "\">" + esc(p.label) + "</a>" : esc(p.label)) + "</td><td>" + esc(p.type) +
        "</td><td>" + esc([p.city, p.country_name].filter(Boolean).join(", ")) + "</td><td>" +
        (p.radius_m ? "within " + distance(p.radius_m) : "not drawn (place too vague)") + "</td></tr>";
    }).join("");
    return "<table><thead><tr><th>Host</th><th class=\"num\">Year</th><th class=\"num\">Workers</th><th>On the map</th><th>Sources</th></tr></thead><tbody>" +
      (rows || "<tr><td colspan=\"5\" class=\"muted\">No headcounts for this choice.</td></tr>") + "</tbody></table>" +
      (points ? "<table><thead><tr><th>Site or sighting</th><th>Kind</th><th>Place</th><th>Precision</th></tr></thead><tbody>" + points + "</tbody></table>" : "");
  }

  function init(root) {
    const canvas = root.querySelector(".map-canvas");
    const status = root.querySelector(".map-status");
    const details = root.querySelector(".map-details");
    const form = root.querySelector(".map-filters");
    const map = L.map(canvas, { minZoom: 1, maxZoom: 12, worldCopyJump: false, zoomSnap: 0.5 }).setView([38, 75], 2);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country outlines: Natural Earth");
    const outlines = {};
    const overlay = L.layerGroup().addTo(map);

    fetch(root.dataset.world).then(function (r) { return r.json(); }).then(function (topology) {
      const countries = topojson.feature(topology, topology.objects.countries);
      countries.features = countries.features.filter(function (f) { return f.id !== "010"; }); // Antarctica
      countries.features.forEach(function (f) { unwrap(f.geometry); });
      L.geoJSON(countries, {
        interactive: false,
        style: { color: "#9aa5b5", weight: 0.6, fillColor: "#f7f5ef", fillOpacity: 1 },
        onEachFeature: function (feature, layer) { outlines[feature.id] = layer; },
      }).addTo(map);
      load();
    }).catch(function () {
      status.textContent = "The country outlines could not be loaded.";
      root.dataset.state = "error";
    });

    function load() {
      const query = new URLSearchParams(new FormData(form));
      Array.from(query.keys()).forEach(function (key) { if (!query.get(key)) query.delete(key); });
      root.dataset.state = "loading";
      fetch(root.dataset.url + (query.toString() ? "?" + query : ""), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(draw)
        .catch(function () {
          status.textContent = "The map's data could not be loaded.";
          root.dataset.state = "error";
        });
    }

    function draw(data) {
      overlay.clearLayers();
      Object.keys(outlines).forEach(function (id) { outlines[id].setStyle({ fillColor: "#f7f5ef" }); });
      const drawn = [];
      data.countries.forEach(function (host) {
        if (outlines[host.numeric]) outlines[host.numeric].setStyle({ fillColor: "#f1dede" });
        const lat = host.lat, lon = host.lon;
        const high = host.workers_high !== null ? host.workers_high : host.workers_low;
        const low = host.workers_low !== null ? host.workers_low : 0;
        const outer = L.circleMarker([lat, lon], {
          radius: pixels(high || host.individuals), color: ACCENT, weight: 1.5, fillColor: ACCENT, fillOpacity: 0.18,
          className: "map-country",
        }).addTo(overlay);
        const inner = L.circleMarker([lat, lon], {
          radius: pixels(low), color: ACCENT, weight: 0, fillColor: ACCENT, fillOpacity: 0.55, interactive: false,
          className: "map-country-low",
        }).addTo(overlay);
        const label = host.name + ", " + host.year + ": " + range(host.workers_low, host.workers_high) + " workers";
        outer.bindTooltip(label).bindPopup(hostPopup(host, data.sources), { maxWidth: 360 });
        tag(outer, { "data-country": host.country, "data-low": String(host.workers_low), "data-high": String(host.workers_high), "aria-label": label });
        operable(outer);
        tag(inner, { "data-country-low": host.country });
        drawn.push(host.country);
      });
      data.sightings.forEach(function (item) {
        const circle = L.circle([item.lat, item.lon], {
          radius: item.radius_m, color: SIGHTING, weight: 1, dashArray: "4 3", fillColor: SIGHTING, fillOpacity: 0.15,
          className: "map-sighting",
        }).addTo(overlay);
        const dot = L.circleMarker([item.lat, item.lon], { radius: 3, color: SIGHTING, weight: 1, fillOpacity: 0.8, className: "map-sighting-dot" }).addTo(overlay);
        const popup = pointPopup(item, data.sources);
        circle.bindPopup(popup, { maxWidth: 360 });
        dot.bindPopup(popup, { maxWidth: 360 }).bindTooltip("Sighting: " + esc(item.label));
        tag(circle, { "data-sighting": String(item.id), "data-radius": String(item.radius_m) });
        tag(dot, { "data-sighting-dot": String(item.id) });
      });
      data.sites.forEach(function (item) {
        L.circle([item.lat, item.lon], { radius: item.radius_m, color: SITE, weight: 0.5, fillOpacity: 0.08, interactive: false, className: "map-site-precision" }).addTo(overlay);
        const marker = L.circleMarker([item.lat, item.lon], {
          radius: 5, color: "#fff", weight: 1.5, fillColor: SITE, fillOpacity: 0.95, className: "map-site",
        }).addTo(overlay);
        marker.bindTooltip(esc(item.label)).bindPopup(pointPopup(item, data.sources), { maxWidth: 360 });
        tag(marker, { "data-site": String(item.id), "data-radius": String(item.radius_m), "aria-label": item.label });
        operable(marker);
      });

      const notes = [];
      if (data.regions.length) {
        notes.push("<p><strong>Not on the map (figures for regions):</strong></p><ul>" + data.regions.map(function (r) {
          return "<li>" + esc(r.name) + ", " + esc(r.year) + ": " + range(r.workers_low, r.workers_high) + " workers</li>";
        }).join("") + "</ul>");
      }
      if (data.not_drawn.length) {
        notes.push("<p><strong>Not on the map (place unknown or known only to the country):</strong></p><ul>" + data.not_drawn.map(function (p) {
          return "<li>" + (p.url ? "<a href=\"" + esc(p.url) + "\">" + esc(p.label) + "</a>" : esc(p.label)) + (p.country_name ? " (" + esc(p.country_name) + ")" : "") + "</li>";
        }).join("") + "</ul>");
      }
      details.innerHTML = notes.join("");
      root.querySelector(".map-table-body").innerHTML = table(data);
      status.textContent = data.countries.length + " host countries, " + data.sites.length + " sites and " + data.sightings.length + " sightings drawn" +
        (data.year ? " for " + data.year : " (latest year for each country)") + ".";
      root.dataset.countries = drawn.join(" ");
      focus();
      root.dataset.state = "ready";
    }

    // A record's page shows the map around the record: its sites, or its country.
    function focus() {
      if (!root.dataset.focus) return;
      const wanted = JSON.parse(root.dataset.focus);
      const points = (wanted.points || []).map(function (p) { return [p.lat, p.lon]; });
      if (points.length === 1) map.setView(points[0], Math.min(wanted.zoom || 9, 12));
      else if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom: 9 });
      else if (wanted.centre) map.setView([wanted.centre.lat, wanted.centre.lon], wanted.zoom || 4);
    }

    form.addEventListener("change", load);
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
