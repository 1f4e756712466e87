// A table too wide for the screen scrolls inside itself (#17 item 8). A keyboard user can scroll
// it only once it can take focus, so such a box joins the tab order, and leaves it when it fits
// again: a table that fits is no extra tab stop. Tables the figures draw later are marked too.
(function () {
  const selector = "main table, main .scroll, main .table-scroll";
  let pending = false;

  function mark() {
    pending = false;
    document.querySelectorAll(selector).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrolls = "";
      } else if (box.dataset.scrolls !== undefined) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrolls;
      }
    });
  }

  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(mark);
    }
  }

  mark();
  window.addEventListener("resize", later);
  const main = document.querySelector("main");
  if (main) new MutationObserver(later).observe(main, { childList: true, subtree: true });
})();
