// Evidence file uploads with a progress bar. Without JavaScript the form posts as it is; with it,
// the same form is sent by XMLHttpRequest so that the bytes sent can be shown as they go.
(function () {
  "use strict";

  function replaceMain(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.querySelector("main");
    var current = document.querySelector("main");
    if (!fresh || !current) { return false; }
    current.replaceWith(fresh);
    fresh.focus();
    bind(fresh);  // scripts in the new content do not run: its upload form is bound here
    return true;
  }

  function send(form) {
    var progress = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    request.upload.addEventListener("progress", function (sent) {
      if (!sent.lengthComputable) { return; }
      progress.max = sent.total;
      progress.value = sent.loaded;
      var percent = Math.floor((100 * sent.loaded) / sent.total);
      status.textContent = form.dataset.sending + ": " + percent + "%";
    });
    request.upload.addEventListener("load", function () {
      status.textContent = form.dataset.checking;
    });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        // The server answered with the results page (after its redirect): show it.
        window.location.assign(request.responseURL);
        return;
      }
      if (!replaceMain(request.responseText)) {
        status.textContent = request.responseText || form.dataset.failed;
        button.disabled = false;
      }
    });
    request.addEventListener("error", function () {
      status.textContent = form.dataset.failed;
      progress.hidden = true;
      button.disabled = false;
    });
    request.send(new FormData(form));
  }

  function bind(root) {
    root.querySelectorAll("form[data-upload-form]").forEach(function (form) {
      if (form.dataset.uploadReady) { return; }
      form.dataset.uploadReady = "1";
      form.addEventListener("submit", function (event) {
        if (!window.FormData || !window.XMLHttpRequest || !form.checkValidity()) { return; }
        event.preventDefault();
        send(form);
      });
    });
  }

  bind(document);
})();
