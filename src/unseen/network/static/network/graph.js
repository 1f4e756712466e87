/* The network graph: organisations, public figures, persons (by pseudonym), sites and host
   countries with their typed, dated links, drawn with the vendored cytoscape.js. Plain ES2017, no
   build step, no inline script (the Content-Security-Policy allows none).

   Reads the JSON named by #network-graph's data-url once, without as_of or min_grade, and filters
   in the browser with the server's rule (docs/reference/network-graph.md), so that moving the
   date slider neither refetches nor moves a node: links appear and vanish where they are. Words
   shown to readers come from the page's #network-strings block, which the server translates.

   For tests: window.unseenNetwork = {cy, ready, counts()}; #network-graph carries data-state
   (loading, ready, error) and data-nodes / data-edges, the numbers drawn. */
(function () {
  "use strict";

  // Above this many nodes the force layout takes seconds (headless chromium on a busy two-core
  // machine: 1,000 nodes about 2.5 s, 1,500 about 6.5 s); nodes are then placed on rings by
  // degree at once instead, and edges drawn straight and hidden while panning.
  const FORCE_LAYOUT_LIMIT = 1000;
  // Node pairs the force layout may visit in all (steps × nodes²), and its fewest steps.
  const STEP_BUDGET = 4e7;
  const MIN_STEPS = 100;
  // The most a layout zooms in when it fits the drawing to the canvas (the reader may zoom more).
  const COMFORTABLE_ZOOM = 1.25;
  // Distance between neighbours on a ring, and between rings / 1.4, in model pixels.
  const RING_SPACING = 46;
  // A table of tens of thousands of rows helps no one and takes seconds to write; past this the
  // table says how many more links are drawn.
  const TABLE_ROWS = 1000;
  // Up to this many nodes, labels are measured by the layouts, and the records with no link at all
  // are set apart in a grid below the linked ones, spaced by their labels, instead of crowding
  // the force layout's middle.
  const LABEL_AWARE_LIMIT = 300;
  // Model pixels between the linked drawing and the grid of records with no link.
  const GRID_GAP = 60;

  const DEFAULT_STRINGS = {
    kinds: { organisation: "organisation", public_figure: "public figure", person: "person", site: "site", country: "country" },
    designated: "designated",
    loading: "Loading the network…",
    error: "The network could not be loaded.",
    status: "{nodes} nodes and {edges} links shown",
    status_as_of: "as of {date}",
    status_min_grade: "sources graded {grade} or better",
    truncated: "Only part of the network is drawn: select a node and expand its neighbours to see more.",
    expand: "Expand neighbours",
    expanding: "Loading neighbours…",
    expanded: "{count} nodes added.",
    expand_error: "The neighbours could not be loaded.",
    open: "Open its page and evidence",
    from: "From",
    to: "To",
    relation: "Relation",
    start: "Start",
    end: "End",
    open_date: "open",
    grade: "Best grade",
    ungraded: "ungraded",
    sources: "Sources",
    country: "Country",
    links: "Links shown",
    table_more: "{count} more links are drawn but not listed here.",
    no_edges: "No links for this choice.",
    all_dates: "all dates",
  };

  const SHAPES = { organisation: "round-rectangle", public_figure: "diamond", person: "ellipse", site: "triangle", country: "hexagon" };
  const COLOURS = { organisation: "#8a2c2c", public_figure: "#6b4c9a", person: "#3d7a3d", site: "#1f5f8b", country: "#555f6e" };

  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function loadStrings() {
    const block = document.getElementById("network-strings");
    let given = {};
    try {
      given = block ? JSON.parse(block.textContent) : {};
    } catch (error) {
      given = {};
    }
    const strings = Object.assign({}, DEFAULT_STRINGS, given);
    strings.kinds = Object.assign({}, DEFAULT_STRINGS.kinds, given.kinds || {});
    return strings;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] !== undefined ? values[name] : whole;
    });
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // The last day a date may mean: the server sends days, but a bare year or month is read as the
  // server reads a partial end (2019 → 2019-12-31), so the two filters can never disagree.
  function lastDay(text) {
    if (!text) return null;
    if (text.length === 4) return text + "-12-31";
    if (text.length === 7) {
      const year = Number(text.slice(0, 4)), month = Number(text.slice(5, 7));
      return text + "-" + String(new Date(Date.UTC(year, month, 0)).getUTCDate()).padStart(2, "0");
    }
    return text;
  }

  function firstDay(text) {
    if (!text) return null;
    if (text.length === 4) return text + "-01-01";
    if (text.length === 7) return text + "-01";
    return text;
  }

  // The slider moves by months; month index 0 is the earliest month a link starts or ends in.
  function monthIndex(iso) {
    return Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
  }

  function monthText(index) {
    return Math.floor(index / 12) + "-" + String((index % 12) + 1).padStart(2, "0");
  }

  // A month on the slider means its last day, so a link that starts at any time in it is shown.
  function monthEnd(index) {
    return lastDay(monthText(index));
  }

  function edgeWidth(sources) {
    return Math.min(1.5 + 1.5 * Math.max(sources - 1, 0), 12);
  }

  // The force layout (cose) repels every pair of nodes on every step: a larger graph gets fewer
  // steps, cooled faster so that it still settles. Past FORCE_LAYOUT_LIMIT nodes even that takes
  // seconds, and the nodes stay where `rings` put them.
  function layoutOptions(count, motion) {
    const steps = Math.max(MIN_STEPS, Math.min(1000, Math.round(STEP_BUDGET / (count * count))));
    return {
      name: "cose",
      numIter: steps,
      initialTemp: 1000,
      minTemp: 1,
      coolingFactor: Math.pow(0.001, 1 / steps),
      animate: motion && count <= 300 ? "end" : false,
      animationDuration: 400,
      randomize: false,
      fit: true,
      padding: 30,
      // Edges long enough to be seen and clicked between labels (cose's default is 32 px, shorter
      // than a label is wide, so a link hid under the names it joins); a large graph keeps the
      // default, as its labels are hidden until zoomed.
      idealEdgeLength: count <= 300 ? 160 : 32,
      nodeDimensionsIncludeLabels: count <= 300,
    };
  }

  // Concentric rings by number of links, the most connected in the middle: deterministic and
  // linear after one sort, so 5,000 nodes are placed in milliseconds. Also the starting positions
  // of the force layout (a spread start, where every node at one point would stack their edges).
  function rings(ids, degree) {
    const order = ids.slice().sort(function (a, b) { return (degree.get(b) || 0) - (degree.get(a) || 0); });
    const positions = new Map();
    let outer = 0;
    let ring = 0, slots = 1, used = 0;
    order.forEach(function (id) {
      if (used === slots) {
        ring += 1;
        slots = Math.floor(2 * Math.PI * ring * 1.4);
        used = 0;
      }
      const radius = ring * RING_SPACING * 1.4;
      outer = radius;
      // Each ring is turned a little so that spokes do not line up across rings.
      const angle = (2 * Math.PI * used) / slots + ring * 0.5;
      positions.set(id, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
      used += 1;
    });
    return { positions: positions, radius: outer };
  }

  function style(strings, large) {
    const nodeStyle = {
      shape: "data(shape)",
      "background-color": "data(colour)",
      width: 26,
      height: 26,
      label: "data(text)",
      "font-size": 10,
      "text-wrap": "wrap",
      "text-max-width": 140,
      "text-valign": "bottom",
      "text-margin-y": 4,
      color: "#1d1d1d",
      "text-background-color": "#fff",
      "text-background-opacity": 0.8,
      "text-background-padding": 1,
      "border-width": 1,
      "border-color": "#fff",
    };
    const edgeStyle = {
      width: "data(width)",
      "line-color": "#6d6d6d",
      "target-arrow-color": "#6d6d6d",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.8,
      "curve-style": large ? "straight" : "bezier",
      label: "data(label)",
      "font-size": 8,
      color: "#444",
      "text-rotation": "autorotate",
      "text-background-color": "#fff",
      "text-background-opacity": 0.8,
      "text-background-padding": 1,
    };
    if (large) {
      // Node labels are drawn only once the reader zooms in far enough, and an edge's only when
      // it is selected: measuring tens of thousands of labels is most of the time to first draw.
      // The table and the panel say the same in text.
      nodeStyle["min-zoomed-font-size"] = 9;
      delete edgeStyle.label;
    }
    const rules = [
      { selector: "node", style: nodeStyle },
      { selector: "node.designated", style: { "border-width": 6, "border-color": "#111", "border-style": "double" } },
      { selector: "edge", style: edgeStyle },
      { selector: ".filtered", style: { display: "none" } },
      { selector: ":selected", style: { "overlay-color": "#f0b400", "overlay-opacity": 0.35, "overlay-padding": 6 } },
    ];
    if (large) rules.push({ selector: "edge:selected", style: { label: "data(label)" } });
    return rules;
  }

  function init(root) {
    const strings = loadStrings();
    const status = document.getElementById("network-status");
    const detail = document.getElementById("network-detail");
    const table = document.getElementById("network-table");
    const slider = document.getElementById("network-as-of");
    const sliderValue = document.getElementById("network-as-of-value");
    const allDates = document.getElementById("network-all-dates");
    const gradeSelect = document.getElementById("network-min-grade");
    const filters = document.getElementById("network-filters");
    const language = document.documentElement.lang || "en";

    const nodes = new Map(); // id → node as sent
    const edges = new Map(); // id → edge as sent, with its days normalised
    const pinned = new Set(); // focus and expanded nodes: drawn even with no link shown
    let truncated = false;
    let large = false;
    let cy = null;
    let settle = null;
    const state = { day: null, grade: "" };

    const url = new URL(root.dataset.url, window.location.href);
    const focus = url.searchParams.get("focus");
    if (focus) pinned.add(focus);
    if (root.dataset.asOf) state.day = lastDay(root.dataset.asOf);
    if (root.dataset.minGrade) state.grade = root.dataset.minGrade.charAt(0).toUpperCase();
    // The page's first view is filtered in the browser: the server's filters would leave out the
    // links the slider must be able to bring back.
    url.searchParams.delete("as_of");
    url.searchParams.delete("min_grade");

    const ready = new Promise(function (resolve) { settle = resolve; });
    const api = { cy: null, ready: ready, counts: counts };
    window.unseenNetwork = api;

    function number(value) {
      return Number(value).toLocaleString(language);
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    function fetchJSON(address) {
      return fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        });
    }

    // Merges what the server sent into the store; returns the nodes and edges that were new.
    function remember(data) {
      const added = { nodes: [], edges: [] };
      (data.nodes || []).forEach(function (node) {
        if (nodes.has(node.id)) return;
        nodes.set(node.id, node);
        added.nodes.push(node);
      });
      (data.edges || []).forEach(function (edge) {
        if (edges.has(edge.id)) return;
        // An edge with an end the reader cannot see is absent (the server leaves it out too).
        if (!nodes.has(edge.source) || !nodes.has(edge.target)) return;
        const kept = Object.assign({}, edge, { start: firstDay(edge.start), end: lastDay(edge.end) });
        edges.set(edge.id, kept);
        added.edges.push(kept);
      });
      if (data.truncated) truncated = true;
      return added;
    }

    function nodeElement(node) {
      const kind = strings.kinds[node.kind] || node.kind;
      // The kind and the designation are written out, not told by shape or colour alone.
      const text = node.label + "\n" + kind + (node.designated ? " · " + strings.designated : "");
      return {
        group: "nodes",
        data: { id: node.id, text: text, shape: SHAPES[node.kind] || "ellipse", colour: COLOURS[node.kind] || "#777" },
        classes: node.designated ? "designated" : "",
      };
    }

    function edgeElement(edge) {
      return {
        group: "edges",
        data: { id: edge.id, source: edge.source, target: edge.target, label: edge.label, width: edgeWidth(edge.sources || 1) },
      };
    }

    function shownEdge(edge) {
      if (state.day) {
        if (edge.start && edge.start > state.day) return false;
        if (edge.end && edge.end < state.day) return false;
      }
      if (state.grade) {
        if (!edge.best_grade || edge.best_grade.charAt(0) > state.grade) return false;
      }
      return true;
    }

    function filtering() {
      return Boolean(state.day || state.grade);
    }

    // Hides what the filters leave out; with a filter on, a node no shown link touches goes too,
    // unless the reader asked for it (the focus, or a node whose neighbours they expanded).
    function apply() {
      const shownEdges = [];
      const touched = new Set();
      edges.forEach(function (edge) {
        if (shownEdge(edge)) {
          shownEdges.push(edge);
          touched.add(edge.source);
          touched.add(edge.target);
        }
      });
      const shownNodes = new Set();
      nodes.forEach(function (node, id) {
        if (!filtering() || touched.has(id) || pinned.has(id)) shownNodes.add(id);
      });
      const shownIds = new Set(shownEdges.map(function (edge) { return edge.id; }));
      cy.batch(function () {
        cy.nodes().forEach(function (element) {
          const hide = !shownNodes.has(element.id());
          if (element.hasClass("filtered") !== hide) element.toggleClass("filtered", hide);
        });
        cy.edges().forEach(function (element) {
          const hide = !shownIds.has(element.id());
          if (element.hasClass("filtered") !== hide) element.toggleClass("filtered", hide);
        });
      });
      root.dataset.nodes = String(shownNodes.size);
      root.dataset.edges = String(shownEdges.length);
      root.dataset.shownAsOf = state.day || "";
      root.dataset.shownMinGrade = state.grade || "";
      writeTable(shownEdges);
      const parts = [fill(strings.status, { nodes: number(shownNodes.size), edges: number(shownEdges.length) })];
      if (state.day) parts.push(fill(strings.status_as_of, { date: state.day }));
      if (state.grade) parts.push(fill(strings.status_min_grade, { grade: state.grade }));
      say(parts.join(", ") + "." + (truncated ? " " + strings.truncated : ""));
    }

    function counts() {
      return { nodes: Number(root.dataset.nodes || 0), edges: Number(root.dataset.edges || 0) };
    }

    function label(id) {
      const node = nodes.get(id);
      return node ? node.label : id;
    }

    function writeTable(shown) {
      if (!table) return;
      const body = table.tBodies[0] || table.appendChild(document.createElement("tbody"));
      if (!shown.length) {
        body.innerHTML = "<tr><td colspan=\"7\" class=\"muted\">" + esc(strings.no_edges) + "</td></tr>";
        return;
      }
      const rows = shown.slice(0, TABLE_ROWS).map(function (edge) {
        return "<tr data-edge=\"" + esc(edge.id) + "\">" +
          "<td><button type=\"button\" class=\"link-button\" data-select=\"" + esc(edge.source) + "\">" + esc(label(edge.source)) + "</button></td>" +
          "<td><button type=\"button\" class=\"link-button\" data-select=\"" + esc(edge.id) + "\">" + esc(edge.label) + "</button></td>" +
          "<td><button type=\"button\" class=\"link-button\" data-select=\"" + esc(edge.target) + "\">" + esc(label(edge.target)) + "</button></td>" +
          "<td>" + esc(edge.start || "—") + "</td><td>" + esc(edge.end || "—") + "</td>" +
          "<td class=\"num\">" + number(edge.sources || 0) + "</td>" +
          "<td>" + esc(edge.best_grade || strings.ungraded) + "</td></tr>";
      });
      if (shown.length > TABLE_ROWS) {
        rows.push("<tr><td colspan=\"7\" class=\"muted\">" + esc(fill(strings.table_more, { count: number(shown.length - TABLE_ROWS) })) + "</td></tr>");
      }
      body.innerHTML = rows.join("");
    }

    function definition(list, term, value) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      list.append(dt, dd);
    }

    function showNode(id) {
      const node = nodes.get(id);
      if (!detail || !node) return;
      detail.replaceChildren();
      const heading = document.createElement("h3");
      heading.textContent = node.label;
      const kind = document.createElement("p");
      kind.textContent = (strings.kinds[node.kind] || node.kind) + (node.designated ? " · " + strings.designated : "");
      if (node.designated) kind.className = "network-designated";
      detail.append(heading, kind);
      const list = document.createElement("dl");
      if (node.country) definition(list, strings.country, node.country);
      const links = cy.getElementById(id).connectedEdges().not(".filtered").length;
      definition(list, strings.links, number(links));
      detail.append(list);
      if (node.url) detail.append(pageLink(node.url));
      const expand = document.createElement("button");
      expand.type = "button";
      expand.textContent = strings.expand;
      expand.dataset.expand = id;
      detail.append(expand);
      detail.hidden = false;
      detail.dataset.shown = id;
    }

    function showEdge(id) {
      const edge = edges.get(id);
      if (!detail || !edge) return;
      detail.replaceChildren();
      const heading = document.createElement("h3");
      heading.textContent = label(edge.source) + " → " + edge.label + " → " + label(edge.target);
      detail.append(heading);
      const list = document.createElement("dl");
      definition(list, strings.from, label(edge.source));
      definition(list, strings.relation, edge.label);
      definition(list, strings.to, label(edge.target));
      definition(list, strings.start, edge.start || strings.open_date);
      definition(list, strings.end, edge.end || strings.open_date);
      definition(list, strings.grade, edge.best_grade || strings.ungraded);
      definition(list, strings.sources, number(edge.sources || 0));
      detail.append(list);
      if (edge.url) detail.append(pageLink(edge.url));
      detail.hidden = false;
      detail.dataset.shown = id;
    }

    function pageLink(address) {
      const paragraph = document.createElement("p");
      const link = document.createElement("a");
      link.href = address;
      link.textContent = strings.open;
      paragraph.append(link);
      return paragraph;
    }

    // From the table (`fromTable`), the drawing is centred on the element and the keyboard's
    // focus moves to the panel, so a reader who cannot use the canvas reaches the same details.
    function select(id, fromTable) {
      const element = cy.getElementById(id);
      if (!element.length) return;
      cy.elements(":selected").unselect();
      element.select();
      if (element.isNode()) showNode(id);
      else showEdge(id);
      if (!fromTable) return;
      if (reducedMotion()) cy.center(element);
      else cy.animate({ center: { eles: element }, duration: 300 });
      const heading = detail && detail.querySelector("h3");
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }

    // New neighbours are set on a ring round the node they were expanded from; the rest of the
    // drawing stays where the reader left it.
    function place(center, added) {
      const origin = center.position();
      const radius = 90 + 12 * Math.sqrt(added.length);
      added.forEach(function (node, i) {
        const angle = (2 * Math.PI * i) / added.length;
        cy.getElementById(node.id).position({ x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) });
      });
    }

    function expand(id) {
      const center = cy.getElementById(id);
      const address = new URL(url.href);
      address.searchParams.set("focus", id);
      address.searchParams.set("depth", "1");
      root.dataset.state = "loading";
      say(strings.expanding);
      const work = fetchJSON(address.href).then(function (data) {
        const added = remember(data);
        pinned.add(id);
        cy.batch(function () {
          cy.add(added.nodes.map(nodeElement).concat(added.edges.map(edgeElement)));
          if (center.length) place(center, added.nodes);
        });
        updateSlider();
        apply();
        const note = fill(strings.expanded, { count: number(added.nodes.length) });
        if (status) say(status.textContent + " " + note);
        // A small graph settles again from where it is, so that the newcomers do not sit on
        // older nodes; a large one keeps its rings and shows the expanded node's neighbours.
        const settled = nodes.size <= FORCE_LAYOUT_LIMIT && added.nodes.length
          ? arrange()
          : Promise.resolve();
        return settled.then(function () {
          if (center.length && nodes.size > FORCE_LAYOUT_LIMIT) cy.fit(center.closedNeighborhood(), 40);
          if (detail && detail.dataset.shown === id) showNode(id);
          root.dataset.state = "ready";
        });
      }).catch(function () {
        say(strings.expand_error);
        root.dataset.state = "ready";
      });
      api.ready = work;
      return work;
    }

    let sliderFrom = 0;

    function updateSlider() {
      if (!slider) return;
      let low = null, high = null;
      edges.forEach(function (edge) {
        [edge.start, edge.end].forEach(function (day) {
          if (!day) return;
          if (low === null || day < low) low = day;
          if (high === null || day > high) high = day;
        });
      });
      if (low === null) {
        slider.disabled = true;
        return;
      }
      slider.disabled = false;
      sliderFrom = monthIndex(low);
      slider.min = "0";
      slider.max = String(monthIndex(high) - sliderFrom);
      slider.step = "1";
      // For tests and assistive scripts: the month the slider's 0 stands for.
      slider.dataset.firstMonth = monthText(sliderFrom);
      // With no date chosen the thumb rests at the latest month, where sliding back starts.
      const position = state.day ? monthIndex(state.day) - sliderFrom : Number(slider.max);
      slider.value = String(Math.min(Math.max(position, 0), Number(slider.max)));
      showSliderValue();
    }

    function showSliderValue() {
      const text = state.day ? monthText(monthIndex(state.day)) : strings.all_dates;
      if (sliderValue) sliderValue.textContent = text;
      if (slider) slider.setAttribute("aria-valuetext", text);
    }

    let pending = 0;
    function onSlide() {
      state.day = monthEnd(sliderFrom + Number(slider.value));
      if (allDates) allDates.checked = false;
      showSliderValue();
      // Redraw once per frame however fast the thumb moves.
      if (pending) return;
      pending = window.requestAnimationFrame(function () {
        pending = 0;
        apply();
      });
    }

    function start(data) {
      const fetched = performance.now();
      root.dataset.fetchMs = String(Math.round(fetched - requested));
      remember(data);
      large = nodes.size > FORCE_LAYOUT_LIMIT;
      // Cytoscape would add a <style> element to the page, which the Content-Security-Policy
      // refuses; an element with the id it looks for tells it one is there, and the only rule it
      // would set (position: relative) is set on the container here.
      if (!document.getElementById("__________cytoscape_stylesheet")) {
        const marker = document.createElement("meta");
        marker.id = "__________cytoscape_stylesheet";
        document.head.appendChild(marker);
      }
      root.style.position = "relative";
      if (!root.clientHeight) root.style.height = "70vh";
      const degree = new Map();
      edges.forEach(function (edge) {
        degree.set(edge.source, (degree.get(edge.source) || 0) + 1);
        degree.set(edge.target, (degree.get(edge.target) || 0) + 1);
      });
      const placed = rings(Array.from(nodes.keys()), degree);
      const elements = Array.from(nodes.values()).map(function (node) {
        const element = nodeElement(node);
        element.position = placed.positions.get(node.id);
        return element;
      }).concat(Array.from(edges.values()).map(edgeElement));
      // A large graph is not fitted by cytoscape, which would measure every label to find its
      // bounds: the rings' radius gives the zoom that shows them all.
      const side = Math.min(root.clientWidth || 800, root.clientHeight || 600);
      const zoom = Math.min(COMFORTABLE_ZOOM, Math.max(0.02, side / (2 * (placed.radius + 60))));
      cy = cytoscape({
        container: root,
        elements: elements,
        zoom: zoom,
        pan: { x: (root.clientWidth || 800) / 2, y: (root.clientHeight || 600) / 2 },
        // The elements carry their positions; without this cytoscape would lay them out on a grid.
        layout: { name: "preset", fit: false },
        style: style(strings, large),
        minZoom: 0.02,
        maxZoom: 4,
        selectionType: "single",
        boxSelectionEnabled: false,
        hideEdgesOnViewport: large,
        textureOnViewport: large,
        motionBlur: false,
      });
      api.cy = cy;
      cy.on("tap", "node, edge", function (event) { select(event.target.id()); });
      updateSlider();
      apply();
      const began = performance.now();
      root.dataset.drawMs = String(Math.round(began - fetched));
      const laidOut = large ? drawn() : arrange();
      laidOut.then(function () {
        root.dataset.layoutMs = String(Math.round(performance.now() - began));
        root.dataset.state = "ready";
        settle(api);
      });
    }

    // Resolves once cytoscape has painted the current elements (it paints on animation frames).
    function drawn() {
      return new Promise(function (resolve) {
        window.requestAnimationFrame(function () { window.requestAnimationFrame(resolve); });
      });
    }

    // Lays out the drawing. A small graph's records with no link (often sites and countries no
    // relation touches) go on a grid below the force layout of the linked ones, as many columns
    // as fit the wider of the linked drawing and the canvas, each cell as wide as its label.
    function arrange() {
      const motion = !reducedMotion();
      if (nodes.size > LABEL_AWARE_LIMIT) return runLayout(layoutOptions(nodes.size, motion));
      const lone = cy.nodes().filter(function (node) { return node.degree(false) === 0; });
      if (!lone.length || lone.length === cy.nodes().length) {
        return runLayout(Object.assign(layoutOptions(nodes.size, motion), lone.length ? gridOptions(lone, null) : {}));
      }
      const linked = cy.nodes().difference(lone);
      // Labels count as part of their nodes, so that the force keeps them apart; and the nodes are
      // pulled together more than cose's default, which spreads a few chains across the canvas.
      const linkedLayout = Object.assign(layoutOptions(linked.length, false), {
        nodeDimensionsIncludeLabels: true, fit: false, animate: false, gravity: 8, idealEdgeLength: 160, nodeOverlap: 40, nodeRepulsion: function () { return 1024; },
      });
      return runLayout(linkedLayout, linked.union(linked.connectedEdges()), true).then(function () {
        const box = linked.boundingBox({ includeLabels: true, includeEdges: true });
        return runLayout(gridOptions(lone, box), lone, true);
      }).then(function () {
        cy.fit(undefined, 30);
        fitted();
      });
    }

    // A grid for `lone`, below `above` (a bounding box) or, with none, filling the canvas.
    function gridOptions(lone, above) {
      let cellWidth = 0, cellHeight = 0;
      lone.forEach(function (node) {
        const box = node.boundingBox({ includeLabels: true });
        cellWidth = Math.max(cellWidth, box.w);
        cellHeight = Math.max(cellHeight, box.h);
      });
      cellWidth += 24;
      cellHeight += 16;
      // As many columns as give the whole drawing the canvas's shape, so that it is fitted at
      // the largest zoom (on a phone, few columns; on a laptop, many).
      const canvasWidth = root.clientWidth || 800, canvasHeight = root.clientHeight || 600;
      let cols = 1, best = 0;
      for (let tried = 1; tried <= lone.length; tried += 1) {
        const width = Math.max(above ? above.w : 0, tried * cellWidth);
        const height = (above ? above.h + GRID_GAP : 0) + Math.ceil(lone.length / tried) * cellHeight;
        const zoom = Math.min(canvasWidth / width, canvasHeight / height);
        if (zoom > best) {
          best = zoom;
          cols = tried;
        }
      }
      const rows = Math.ceil(lone.length / cols);
      const options = {
        name: "grid",
        cols: cols,
        avoidOverlap: true,
        avoidOverlapPadding: 16,
        nodeDimensionsIncludeLabels: true,
        condense: true,
        fit: !above,
        padding: 30,
        animate: false,
      };
      if (above) {
        const left = (above.x1 + above.x2) / 2 - (cols * cellWidth) / 2;
        options.boundingBox = { x1: left, y1: above.y2 + GRID_GAP, w: cols * cellWidth, h: rows * cellHeight };
      }
      return options;
    }

    function fitted() {
      if (cy.zoom() > COMFORTABLE_ZOOM) {
        cy.zoom(COMFORTABLE_ZOOM);
        cy.center();
      }
    }

    // Runs a layout (on `eles`, or on every element); once it stops, a drawing of a few nodes is not left zoomed in to fill the
    // canvas with three giant shapes.
    function runLayout(options, eles, keepZoom) {
      return new Promise(function (resolve) {
        const layout = (eles || cy).layout(options);
        layout.one("layoutstop", function () {
          if (!keepZoom) fitted();
          resolve();
        });
        layout.run();
      });
    }

    const requested = performance.now();
    root.dataset.state = "loading";
    say(strings.loading);
    fetchJSON(url.href).then(start).catch(function () {
      say(strings.error);
      root.dataset.state = "error";
      settle(api);
    });

    if (slider) slider.addEventListener("input", onSlide);
    if (allDates) {
      allDates.checked = !state.day;
      allDates.addEventListener("change", function () {
        state.day = allDates.checked ? null : monthEnd(sliderFrom + Number(slider ? slider.value : 0));
        showSliderValue();
        if (cy) apply();
      });
    }
    if (gradeSelect) {
      if (state.grade) gradeSelect.value = state.grade;
      gradeSelect.addEventListener("change", function () {
        state.grade = (gradeSelect.value || "").charAt(0).toUpperCase();
        if (cy) apply();
      });
    }
    // Without the script the form asks the server for a filtered table; with it, filters apply
    // here at once.
    if (filters) filters.addEventListener("submit", function (event) { event.preventDefault(); });
    [table, detail].forEach(function (area) {
      if (!area) return;
      area.addEventListener("click", function (event) {
        const target = event.target.closest("[data-select], [data-expand]");
        if (!target || !cy) return;
        if (target.dataset.expand) expand(target.dataset.expand);
        else select(target.dataset.select, true);
      });
    });
  }

  function start() {
    const root = document.getElementById("network-graph");
    if (!root || typeof cytoscape === "undefined") return;
    init(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
