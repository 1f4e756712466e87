/* Wide tables scroll sideways inside their own region instead of widening the page (#17 item 8).
   Each table in the main content is wrapped in a region named after the table (its caption, its
   own label, or the heading before it), so a screen reader announces what scrolls. The region is
   a tab stop only while it actually scrolls: a keyboard user can then move it with the arrow
   keys, and a table that fits adds no useless stop. Without JavaScript the stylesheet still lets
   the table itself scroll. */
(function () {
  "use strict";

  const HEADING = /^H[1-6]$/;

  function headingBefore(node) {
    for (let at = node; at && at.tagName !== "MAIN"; at = at.parentElement) {
      for (let sibling = at.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        if (HEADING.test(sibling.tagName)) return sibling;
        if (sibling.tagName === "SUMMARY") return sibling;
        const inner = sibling.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1];
      }
      if (at.parentElement && at.parentElement.tagName === "DETAILS") {
        const summary = at.parentElement.querySelector("summary");
        if (summary) return summary;
      }
    }
    return null;
  }

  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) return table.caption.textContent.trim();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    const labelledBy = table.getAttribute("aria-labelledby");
    if (labelledBy) {
      const label = document.getElementById(labelledBy);
      if (label) return label.textContent.trim();
    }
    const heading = headingBefore(table);
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    return document.body.dataset.tableLabel || "";
  }

  function wrap(table) {
    if (table.parentElement.classList.contains("table-scroll")) return table.parentElement;
    const region = document.createElement("div");
    region.className = "table-scroll";
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", nameOf(table));
    table.parentElement.insertBefore(region, table);
    region.appendChild(table);
    return region;
  }

  function focusableWhileScrolling(region) {
    if (region.scrollWidth > region.clientWidth + 1) region.setAttribute("tabindex", "0");
    else region.removeAttribute("tabindex");
  }

  function start() {
    const main = document.querySelector("main");
    if (!main) return;
    const regions = Array.prototype.map.call(main.querySelectorAll("table"), wrap);
    const update = function () { regions.forEach(focusableWhileScrolling); };
    update();
    window.addEventListener("resize", update);
    // A closed <details> hides its table at width 0: measure again when it opens.
    main.querySelectorAll("details").forEach(function (details) { details.addEventListener("toggle", update); });
    document.documentElement.dataset.tablesReady = "yes";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
