/* The progress of a background job on its page (a linkage run, a file's text recognition): polls
   the job's progress.json named by the page's one [data-progress-url] and moves the bar; reloads
   the page once the job has ended, to show what it found or why it failed. Plain ES2017, no
   inline script (the Content-Security-Policy allows none). */
(function () {
  "use strict";

  const section = document.querySelector("[data-progress-url]");
  if (!section) return;
  const url = section.dataset.progressUrl;
  const bar = section.querySelector("[data-progress-bar]");
  const stage = section.querySelector("[data-progress-stage]");
  const status = section.querySelector("[data-progress-status]");
  const percent = section.querySelector("[data-progress-percent]");
  const stalled = section.querySelector("[data-progress-stalled]");
  const cancelling = section.querySelector("[data-progress-cancelling]");
  const EVERY = 1500;

  function show(state) {
    bar.value = state.fraction;
    bar.textContent = Math.round(state.fraction * 100) + " %";
    percent.textContent = Math.round(state.fraction * 100);
    stage.textContent = state.stage_label;
    status.textContent = state.status_label;
    stalled.hidden = !state.stalled;
    cancelling.hidden = !state.cancelling;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, EVERY);
        }
      })
      .catch(function () { window.setTimeout(poll, EVERY * 4); });
  }

  window.setTimeout(poll, EVERY);
})();
