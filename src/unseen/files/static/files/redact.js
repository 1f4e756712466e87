/* Redaction boxes over an image or the rendered pages of a PDF: a person confirms, adds, moves,
   resizes and removes the boxes a face detector proposed, and chooses blur or solid fill.
   Vendored, offline, no framework, ES2017, no inline code (the Content-Security-Policy allows
   none). Pointer events, so a finger works as a mouse does; every action has a keyboard way.

   HTML contract (the view renders it; this script only enhances it):

   <form method="post" data-redact-form
         data-label-box="Box %(n)s of %(count)s, %(origin)s: %(x)s, %(y)s, %(w)s × %(h)s"
         data-label-detector="proposed by the detector"
         data-label-person="placed by a person"
         data-label-page="page %(page)s"
         data-msg-added="Box added." data-msg-removed="Box removed."
         data-msg-count="%(count)s boxes." data-msg-one="1 box."
         data-msg-none="No boxes: nothing will be hidden.">
     <input type="hidden" name="boxes" value="[…]" data-redact-boxes>
     <p id="redact-help">Arrow keys move a box, Shift+arrows resize it, Delete removes it.</p>
     <div class="redact-stage" data-redact-stage data-page="1" data-width="1240" data-height="1754">
       <img src="…" alt="Page 1" data-redact-image>
     </div>
     …one stage per image or PDF page…
     <fieldset><legend>How to hide</legend>
       <label><input type="radio" name="style" value="blur" checked> Blur</label>
       <label><input type="radio" name="style" value="fill"> Solid black</label>
     </fieldset>
     <button type="button" data-redact-add>Add a box</button>
     <button type="button" data-redact-remove>Remove the selected box</button>
     <p role="status" data-redact-status></p>
     <button type="submit">Confirm the redaction</button>
   </form>

   - `data-redact-boxes` holds the proposed boxes as JSON when the page is rendered, and the
     person's boxes when the form is posted: a list of {"page", "x", "y", "w", "h", "style",
     "origin"}. x, y, w, h are integers in the stage's coordinate space: the pixels of the image
     the detector saw, `data-width` × `data-height` (default: the <img>'s natural size), origin
     top left, whatever size the image is shown at. For a PDF, each stage is a page image and
     the server converts pixels to points (faces.pixels_to_points with the page's dpi).
   - `page` is the stage's `data-page` as a number, or null when the stage has none (an image).
     A box whose page matches no stage is kept as it was and posted unchanged.
   - `origin` is "detector" for a proposed box left as it was, "person" for one drawn, or moved or
     resized, by a person. `style` is the chosen radio's value, the same for every box.
   - Without JavaScript the hidden input still holds the proposals: posting confirms them as
     they are.
   - Each box becomes a <button type="button" class="redact-box"> in its stage (focusable, its
     aria-label from data-label-box, aria-describedby the element whose id is the form's
     `data-help`, else #redact-help when there is one). A mouse or pen draws a new box by
     dragging across the image; a finger scrolls there, and uses "Add a box" and then drags it.
   - The form gets data-redact-ready="true" once the boxes are in place (tests wait for it).
   - Style: redact.css (link it in the page's head).
*/
(function () {
  "use strict";

  var MIN_SIZE_FRACTION = 0.01; // the smallest box: 1 % of the image's width (at least 4 px)

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), Math.max(low, high));
  }

  // Keep receiving a pointer's moves when it leaves the element (a fast drag); a pointer the
  // browser no longer tracks cannot be captured, and the drag goes on without.
  function capture(element, event) {
    try {
      element.setPointerCapture(event.pointerId);
    } catch (error) {
      /* not captured: moves outside the element are missed */
    }
  }

  function enhance(form) {
    var input = form.querySelector("[data-redact-boxes]");
    if (!input) return;
    var status = form.querySelector("[data-redact-status]");
    var addButton = form.querySelector("[data-redact-add]");
    var removeButton = form.querySelector("[data-redact-remove]");
    var helpId = form.dataset.help || (document.getElementById("redact-help") ? "redact-help" : "");
    var stages = Array.prototype.slice.call(form.querySelectorAll("[data-redact-stage]"));
    var boxes = []; // {page, x, y, w, h, origin, stage, element}
    var kept = []; // boxes for pages with no stage: posted as they came
    var selected = null;

    function pageOf(stage) {
      var page = stage.dataset.page;
      return page === undefined || page === "" ? null : Number(page);
    }

    function size(stage) {
      var image = stage.querySelector("img");
      var width = Number(stage.dataset.width) || (image && image.naturalWidth) || 0;
      var height = Number(stage.dataset.height) || (image && image.naturalHeight) || 0;
      return { width: width, height: height };
    }

    function style() {
      var checked = form.querySelector('input[name="style"]:checked');
      return checked ? checked.value : "blur";
    }

    function minSize(stage) {
      return Math.max(4, Math.round(size(stage).width * MIN_SIZE_FRACTION));
    }

    function announce(message) {
      if (status && message) status.textContent = message;
    }

    function countMessage() {
      if (!boxes.length) return form.dataset.msgNone || "";
      if (boxes.length === 1 && form.dataset.msgOne) return form.dataset.msgOne;
      return format(form.dataset.msgCount || "%(count)s boxes.", { count: boxes.length });
    }

    function serialise() {
      var current = style();
      var out = boxes
        .slice()
        .sort(function (a, b) {
          return (a.page || 0) - (b.page || 0) || a.y - b.y || a.x - b.x;
        })
        .map(function (box) {
          return {
            page: box.page,
            x: Math.round(box.x),
            y: Math.round(box.y),
            w: Math.round(box.w),
            h: Math.round(box.h),
            style: current,
            origin: box.origin,
          };
        });
      var others = kept.map(function (box) {
        return Object.assign({}, box, { style: current });
      });
      input.value = JSON.stringify(others.concat(out));
    }

    function label(box) {
      var number = boxes.indexOf(box) + 1;
      var text = format(form.dataset.labelBox || "Box %(n)s of %(count)s, %(origin)s: %(x)s, %(y)s, %(w)s × %(h)s", {
        n: number,
        count: boxes.length,
        origin: box.origin === "detector"
          ? form.dataset.labelDetector || "proposed by the detector"
          : form.dataset.labelPerson || "placed by a person",
        x: Math.round(box.x),
        y: Math.round(box.y),
        w: Math.round(box.w),
        h: Math.round(box.h),
      });
      if (box.page !== null && stages.length > 1) {
        text += " (" + format(form.dataset.labelPage || "page %(page)s", { page: box.page }) + ")";
      }
      return text;
    }

    function place(box) {
      var area = size(box.stage);
      if (!area.width || !area.height) return;
      var element = box.element;
      element.style.left = (box.x / area.width) * 100 + "%";
      element.style.top = (box.y / area.height) * 100 + "%";
      element.style.width = (box.w / area.width) * 100 + "%";
      element.style.height = (box.h / area.height) * 100 + "%";
      element.setAttribute("aria-label", label(box));
    }

    function relabel() {
      boxes.forEach(place);
      if (removeButton) removeButton.disabled = !selected;
      serialise();
    }

    function select(box) {
      if (selected && selected.element) {
        selected.element.classList.remove("selected");
        selected.element.setAttribute("aria-pressed", "false");
      }
      selected = box;
      if (box) {
        box.element.classList.add("selected");
        box.element.setAttribute("aria-pressed", "true");
      }
      if (removeButton) removeButton.disabled = !box;
    }

    function changed(box) {
      box.origin = "person";
      place(box);
      serialise();
    }

    function remove(box) {
      var index = boxes.indexOf(box);
      if (index < 0) return;
      boxes.splice(index, 1);
      box.element.remove();
      if (selected === box) select(null);
      var next = boxes[index] || boxes[index - 1];
      if (next) next.element.focus();
      else if (addButton) addButton.focus();
      relabel();
      announce((form.dataset.msgRemoved || "Box removed.") + " " + countMessage());
    }

    // Moving and resizing with a pointer (mouse, pen or finger): deltas in shown pixels become
    // coordinate units by the stage's scale.
    function drag(box, event, resizing) {
      if (event.button !== undefined && event.button > 0) return;
      event.preventDefault();
      event.stopPropagation();
      select(box);
      box.element.focus({ preventScroll: true });
      var area = size(box.stage);
      var rect = box.stage.getBoundingClientRect();
      var scaleX = area.width / rect.width;
      var scaleY = area.height / rect.height;
      var start = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y, bw: box.w, bh: box.h };
      var least = minSize(box.stage);
      var moved = false;
      var target = event.currentTarget;
      capture(target, event);

      function move(moveEvent) {
        var dx = (moveEvent.clientX - start.x) * scaleX;
        var dy = (moveEvent.clientY - start.y) * scaleY;
        if (!moved && Math.abs(dx) < 1 && Math.abs(dy) < 1) return;
        moved = true;
        if (resizing) {
          box.w = clamp(start.bw + dx, least, area.width - box.x);
          box.h = clamp(start.bh + dy, least, area.height - box.y);
        } else {
          box.x = clamp(start.bx + dx, 0, area.width - box.w);
          box.y = clamp(start.by + dy, 0, area.height - box.h);
        }
        changed(box);
      }

      function end() {
        target.removeEventListener("pointermove", move);
        target.removeEventListener("pointerup", end);
        target.removeEventListener("pointercancel", end);
      }

      target.addEventListener("pointermove", move);
      target.addEventListener("pointerup", end);
      target.addEventListener("pointercancel", end);
    }

    function keyboard(box, event) {
      var area = size(box.stage);
      // A step of 1 % of the image's width; with Alt, a single pixel.
      var step = event.altKey ? 1 : Math.max(1, Math.round(area.width / 100));
      var least = minSize(box.stage);
      var dx = 0;
      var dy = 0;
      switch (event.key) {
        case "ArrowLeft": dx = -step; break;
        case "ArrowRight": dx = step; break;
        case "ArrowUp": dy = -step; break;
        case "ArrowDown": dy = step; break;
        case "Delete":
        case "Backspace":
          event.preventDefault();
          remove(box);
          return;
        case "Escape":
          select(null);
          return;
        default:
          return;
      }
      event.preventDefault();
      select(box);
      if (event.shiftKey) {
        box.w = clamp(box.w + dx, least, area.width - box.x);
        box.h = clamp(box.h + dy, least, area.height - box.y);
      } else {
        box.x = clamp(box.x + dx, 0, area.width - box.w);
        box.y = clamp(box.y + dy, 0, area.height - box.h);
      }
      changed(box);
    }

    function make(data, stage) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "redact-box";
      element.setAttribute("aria-pressed", "false");
      if (helpId) element.setAttribute("aria-describedby", helpId);
      var handle = document.createElement("span");
      handle.className = "redact-handle";
      handle.setAttribute("aria-hidden", "true");
      element.appendChild(handle);
      var box = {
        page: pageOf(stage),
        x: Number(data.x),
        y: Number(data.y),
        w: Number(data.w),
        h: Number(data.h),
        origin: data.origin === "detector" ? "detector" : "person",
        stage: stage,
        element: element,
      };
      element.addEventListener("pointerdown", function (event) {
        drag(box, event, event.target === handle);
      });
      element.addEventListener("click", function () { select(box); });
      element.addEventListener("focus", function () { select(box); });
      element.addEventListener("keydown", function (event) { keyboard(box, event); });
      stage.appendChild(element);
      boxes.push(box);
      return box;
    }

    // Drawing a new box by dragging across the image (mouse or pen; a finger scrolls the page
    // there, and uses "Add a box" and then drags the box instead).
    function draw(stage, event) {
      if (event.pointerType === "touch" || (event.button !== undefined && event.button > 0)) return;
      if (event.target !== stage && event.target !== stage.querySelector("img")) return;
      event.preventDefault();
      var area = size(stage);
      var rect = stage.getBoundingClientRect();
      var scaleX = area.width / rect.width;
      var scaleY = area.height / rect.height;
      var x0 = clamp((event.clientX - rect.left) * scaleX, 0, area.width);
      var y0 = clamp((event.clientY - rect.top) * scaleY, 0, area.height);
      var box = make({ x: x0, y: y0, w: 0, h: 0, origin: "person" }, stage);
      box.element.classList.add("drawing");
      select(box);
      capture(stage, event);

      function move(moveEvent) {
        var x1 = clamp((moveEvent.clientX - rect.left) * scaleX, 0, area.width);
        var y1 = clamp((moveEvent.clientY - rect.top) * scaleY, 0, area.height);
        box.x = Math.min(x0, x1);
        box.y = Math.min(y0, y1);
        box.w = Math.abs(x1 - x0);
        box.h = Math.abs(y1 - y0);
        place(box);
      }

      function end() {
        stage.removeEventListener("pointermove", move);
        stage.removeEventListener("pointerup", end);
        stage.removeEventListener("pointercancel", end);
        box.element.classList.remove("drawing");
        var least = minSize(stage);
        if (box.w < least || box.h < least) {
          boxes.splice(boxes.indexOf(box), 1);
          box.element.remove();
          select(null);
          relabel();
          return;
        }
        relabel();
        box.element.focus({ preventScroll: true });
        announce((form.dataset.msgAdded || "Box added.") + " " + countMessage());
      }

      stage.addEventListener("pointermove", move);
      stage.addEventListener("pointerup", end);
      stage.addEventListener("pointercancel", end);
    }

    // "Add a box": a box in the middle of the stage the person is working on (the selected
    // box's, else the one most in view), to move and resize with keys, mouse or finger.
    function stageInView() {
      if (selected) return selected.stage;
      var middle = window.innerHeight / 2;
      var best = stages[0];
      var distance = Infinity;
      stages.forEach(function (stage) {
        var rect = stage.getBoundingClientRect();
        var away = rect.top <= middle && rect.bottom >= middle ? 0 : Math.min(Math.abs(rect.top - middle), Math.abs(rect.bottom - middle));
        if (away < distance) {
          distance = away;
          best = stage;
        }
      });
      return best;
    }

    function add() {
      var stage = stageInView();
      if (!stage) return;
      var area = size(stage);
      var side = Math.max(minSize(stage), Math.round(Math.min(area.width, area.height) / 5));
      var box = make({
        x: Math.round((area.width - side) / 2),
        y: Math.round((area.height - side) / 2),
        w: side,
        h: side,
        origin: "person",
      }, stage);
      relabel();
      box.element.focus();
      announce((form.dataset.msgAdded || "Box added.") + " " + countMessage());
    }

    function showStyle() {
      var current = style();
      stages.forEach(function (stage) {
        stage.classList.toggle("redact-style-fill", current === "fill");
        stage.classList.toggle("redact-style-blur", current !== "fill");
      });
      serialise();
    }

    function start() {
      var proposed;
      try {
        proposed = JSON.parse(input.value || "[]");
      } catch (error) {
        proposed = [];
      }
      if (!Array.isArray(proposed)) proposed = [];
      proposed.forEach(function (data) {
        var page = data.page === undefined || data.page === null ? null : Number(data.page);
        var stage = stages.filter(function (candidate) {
          return pageOf(candidate) === page || (stages.length === 1 && page === null);
        })[0];
        if (stage) make(data, stage);
        else kept.push(data);
      });
      stages.forEach(function (stage) {
        stage.classList.add("redact-ready");
        stage.addEventListener("pointerdown", function (event) { draw(stage, event); });
        var image = stage.querySelector("img");
        if (image) {
          image.draggable = false;
          image.addEventListener("dragstart", function (event) { event.preventDefault(); });
        }
      });
      if (addButton) addButton.addEventListener("click", add);
      if (removeButton) {
        removeButton.addEventListener("click", function () {
          if (selected) remove(selected);
        });
      }
      Array.prototype.forEach.call(form.querySelectorAll('input[name="style"]'), function (radio) {
        radio.addEventListener("change", showStyle);
      });
      form.addEventListener("submit", serialise);
      showStyle();
      relabel();
      announce(countMessage());
      form.dataset.redactReady = "true";
    }

    // The coordinate space is the image's natural size unless the view states it: wait for every
    // image that does not.
    var waiting = stages.filter(function (stage) {
      var image = stage.querySelector("img");
      return !(Number(stage.dataset.width) && Number(stage.dataset.height)) && image && !image.complete;
    });
    if (!waiting.length) {
      start();
      return;
    }
    var left = waiting.length;
    waiting.forEach(function (stage) {
      var image = stage.querySelector("img");
      function loaded() {
        left -= 1;
        if (left === 0) start();
      }
      image.addEventListener("load", loaded, { once: true });
      image.addEventListener("error", loaded, { once: true });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-redact-form]"), enhance);
})();
