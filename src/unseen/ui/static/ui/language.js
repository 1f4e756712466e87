// The language menu submits itself on change (no inline handler: the CSP allows none).
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
