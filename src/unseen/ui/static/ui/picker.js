// Type-ahead pickers (documentation/forms.py, Picker): a record-number box becomes a search box.
//
// Progressive enhancement: without this script the box takes a record's number and the form
// works. With it, the number moves to a hidden input and a combobox (WAI-ARIA 1.2 pattern: arrow
// keys, Enter, Escape, aria-expanded, aria-activedescendant, a labelled listbox) asks the
// suggestions endpoint as the user types. "Create new…" opens the kind's <dialog>, which posts
// to its JSON endpoint and, once the record exists, chooses it. No inline code: the CSP forbids it.
(() => {
  "use strict";

  const DELAY_MS = 150;
  let dialogPicker = null; // the picker whose "create new" dialog is open

  function element(tag, attributes, text) {
    const made = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => made.setAttribute(name, value));
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function labelFor(input) {
    const label = document.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : "";
  }

  function enhance(root) {
    const value = root.querySelector("input");
    if (!value || value.type === "hidden") return;
    const id = value.id;
    const listId = `${id}-listbox`;
    const search = element("input", {
      type: "text",
      id,
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      enterkeyhint: "search",
    });
    if (value.required) search.required = true;
    if (value.getAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", value.getAttribute("aria-describedby"));
    }
    value.removeAttribute("id");
    value.type = "hidden";
    const multiple = "multiple" in root.dataset;
    search.value = multiple ? "" : root.dataset.label || (value.value ? `#${value.value}` : "");
    const list = element("ul", { role: "listbox", id: listId, class: "picker-list" });
    list.setAttribute("aria-label", labelFor(search) || id);
    list.hidden = true;
    const status = element("span", { class: "visually-hidden", role: "status" });
    const chosenLine = root.querySelector(".picker-chosen") || element("small", { class: "muted picker-chosen" });
    value.after(search, list, status, chosenLine);

    // Several records: each chosen one is a chip with its own hidden input and a remove button.
    const chips = root.querySelector(".picker-chips");
    function addChip(record) {
      if (chips.querySelector(`input[value="${record.id}"]`)) return;
      const chip = element("span", { class: "picker-chip", role: "listitem" });
      chip.append(element("span", {}, record.label));
      if (record.detail) chip.append(element("small", { class: "muted" }, ` ${record.detail}`));
      const remove = element("button", {
        type: "button",
        class: "link",
        "aria-label": root.dataset.remove.replace("%(label)s", record.label),
      }, "×");
      remove.addEventListener("click", () => {
        chip.remove();
        search.focus();
      });
      chip.append(element("input", { type: "hidden", name: value.name, value: String(record.id) }), remove);
      chips.append(chip);
    }
    if (multiple) {
      const already = [...chips.querySelectorAll(".picker-chip")].map((chip) => ({
        id: chip.dataset.id, label: chip.dataset.label, detail: chip.dataset.detail,
      }));
      chips.replaceChildren();
      already.forEach(addChip);
      value.value = ""; // the numbers now travel in the chips' inputs
      chosenLine.after(chips);
    }

    let items = [];
    let active = -1;
    let timer = null;
    let asked = 0;
    let chosenLabel = search.value;

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) {
        search.removeAttribute("aria-activedescendant");
        return;
      }
      const option = document.getElementById(`${listId}-${index}`);
      search.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      if (item.create) {
        close();
        openDialog(root.dataset.create, pick, search.value);
        return;
      }
      pick(item);
      close();
    }

    function pick(record) {
      if (multiple) {
        addChip(record);
        search.value = "";
        search.focus();
        return;
      }
      value.value = String(record.id);
      search.value = record.label;
      chosenLabel = record.label;
      chosenLine.textContent = record.detail ? `${record.label} · ${record.detail}` : record.label;
      value.dispatchEvent(new Event("change", { bubbles: true }));
      search.focus();
    }
    root.pickRecord = pick;

    function show(results) {
      items = results.slice();
      if (root.dataset.create) items.push({ create: true, label: root.dataset.createLabel });
      list.replaceChildren(
        ...items.map((item, index) => {
          const option = element("li", {
            role: "option",
            id: `${listId}-${index}`,
            "aria-selected": "false",
            class: item.create ? "picker-create" : "",
          });
          option.append(element("span", { class: "picker-label" }, item.label));
          if (item.detail) option.append(element("small", { class: "muted" }, item.detail));
          // pointerdown keeps the focus in the box (a tap on a phone too); click chooses.
          option.addEventListener("pointerdown", (event) => event.preventDefault());
          option.addEventListener("click", () => choose(item));
          return option;
        }),
      );
      if (!results.length) {
        list.prepend(element("li", { class: "picker-empty muted", "aria-hidden": "true" }, root.dataset.empty));
      }
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      status.textContent = results.length ? root.dataset.some : root.dataset.empty;
      highlight(-1);
    }

    async function ask() {
      const number = ++asked;
      const url = new URL(root.dataset.url, window.location.href);
      url.searchParams.set("q", search.value.trim());
      let results = [];
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) results = (await response.json()).results || [];
      } catch (_error) {
        results = [];
      }
      // An older answer arriving after a newer question is dropped.
      if (number === asked && document.activeElement === search) show(results);
    }

    search.addEventListener("input", () => {
      if (search.value !== chosenLabel) {
        // Typed text that is not the chosen record's name chooses nothing until a pick.
        value.value = "";
        chosenLabel = "";
        chosenLine.textContent = "";
      }
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    search.addEventListener("focus", () => {
      if (!value.value) ask();
    });
    search.addEventListener("blur", () => {
      close();
      if (!value.value && search.value) search.value = "";
    });
    search.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          ask();
          return;
        }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(items[active]);
        } else if (open) {
          event.preventDefault(); // Enter in an open list never submits the form half-filled
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
  }

  // --- "create new" dialogs ------------------------------------------------------------------

  function openDialog(id, onCreated, typed) {
    const dialog = document.getElementById(id);
    if (!dialog) return;
    dialogPicker = onCreated;
    const form = dialog.querySelector("form");
    const errors = dialog.querySelector("[data-picker-errors]");
    errors.hidden = true;
    errors.replaceChildren();
    // What was typed in the search box is most likely the new source's title.
    const title = form.querySelector("input[name$='-title'], textarea[name$='-title']");
    if (title && typed && !title.value) title.value = typed;
    dialog.showModal();
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function wireDialog(dialog) {
    const form = dialog.querySelector("form");
    const errors = dialog.querySelector("[data-picker-errors]");
    dialog.querySelector("[data-picker-cancel]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json().catch(() => ({}));
        if (response.status === 201) {
          form.reset();
          dialog.close();
          if (dialogPicker) dialogPicker(answer);
          return;
        }
        const messages = answer.errors || [answer.error || response.statusText];
        errors.replaceChildren(...messages.map((message) => element("li", {}, message)));
        errors.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-picker]").forEach(enhance);
  document.querySelectorAll("[data-picker-dialog]").forEach(wireDialog);

  // A testimony's source: the existing-source picker or the new source's title, as chosen.
  const choice = document.querySelectorAll("input[name=source_choice]");
  if (choice.length) {
    const existing = document.querySelector("[name=existing_source]")?.closest("p");
    const title = document.getElementById("id_title")?.closest("p");
    const sync = () => {
      const picked = document.querySelector("input[name=source_choice]:checked");
      const useExisting = picked && picked.value === "existing";
      if (existing) existing.hidden = !useExisting;
      if (title) title.hidden = useExisting;
    };
    choice.forEach((radio) => radio.addEventListener("change", sync));
    sync();
  }
})();
