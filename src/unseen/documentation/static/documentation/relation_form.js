// The relation form (documentation/forms.py, RelationForm): at each end only the picker of the
// chosen kind of party, only the kinds of party the chosen kind of relation takes, and the share
// only for ownership. Progressive enhancement: without this script every picker shows and the
// server reads only the chosen kind's. No inline code: the CSP forbids it.
(() => {
  "use strict";

  const form = document.querySelector("[data-relation-form]");
  if (!form) return;
  const ends = JSON.parse(form.dataset.relationEnds || "{}");
  const kind = form.querySelector("select[name=kind]");
  const PICKERS = {
    subject: {
      organisation: "subject_organisation",
      public_figure: "subject_figure",
      person: "subject_person",
    },
    object: {
      organisation: "object_organisation",
      public_figure: "object_figure",
      person: "object_person",
      site: "object_site",
    },
  };

  const row = (name) => form.querySelector(`[data-relation-field="${name}"]`);

  function syncEnd(end) {
    const type = form.querySelector(`select[name=${end}_type]`);
    if (!type) return;
    const allowed = kind && ends[kind.value] ? ends[kind.value][end] : null;
    [...type.options].forEach((option) => {
      option.disabled = Boolean(allowed) && !allowed.includes(option.value);
    });
    const chosen = type.options[type.selectedIndex];
    if (chosen && chosen.disabled) {
      const first = [...type.options].find((option) => !option.disabled);
      if (first) type.value = first.value;
    }
    Object.entries(PICKERS[end]).forEach(([party, name]) => {
      const field = row(name);
      if (field) field.hidden = party !== type.value;
    });
  }

  function sync() {
    syncEnd("subject");
    syncEnd("object");
    const share = row("share_percent");
    if (share) {
      const input = share.querySelector("input");
      // A share typed for another kind stays in sight, with the error the server gives it.
      share.hidden = Boolean(kind) && kind.value !== "owns" && !(input && input.value);
    }
  }

  if (kind) kind.addEventListener("change", sync);
  form.querySelectorAll("select[name=subject_type], select[name=object_type]").forEach((select) => {
    select.addEventListener("change", sync);
  });
  sync();
})();
