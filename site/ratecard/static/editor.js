// The editor's live preview: while you type, the form is posted (with its CSRF token) to
// the preview endpoint, which answers the page fragment rendered and sanitized exactly as
// the public page; it replaces the preview. Without JavaScript the "Preview" button does
// the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var target = document.getElementById("preview-body");
  var status = document.getElementById("preview-status");
  if (!form || !target || !form.dataset.previewUrl) { return; }

  var DELAY = 400;
  var timer = null;
  var controller = null;
  var sequence = 0;

  function say(text) { if (status) { status.textContent = text; } }

  function refresh() {
    timer = null;
    if (controller) { controller.abort(); }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var mine = ++sequence;
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    var token = form.querySelector("input[name=csrf_token]");
    say("updating…");
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token ? token.value : "", "Accept": "text/html" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.text().then(function (text) { return [response, text]; });
    }).then(function (pair) {
      if (mine !== sequence) { return; }
      var response = pair[0];
      if (response.ok) {
        // Server-rendered and sanitized (nh3 allow-list); scripts inserted this way never run.
        target.innerHTML = pair[1];
        say("up to date");
      } else if (response.status === 401) {
        say("your session ended: press “Save draft” to log in again — your text is kept");
      } else if (response.status === 400) {
        say("this form is out of date: press “Save draft” — your text is kept");
      } else if (response.status === 413) {
        say("too long to preview");
      } else {
        say("preview failed (HTTP " + response.status + ")");
      }
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      if (mine === sequence) { say("preview unavailable (offline?)"); }
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    say("…");
    timer = setTimeout(refresh, DELAY);
  }

  form.addEventListener("input", schedule);
  var button = form.querySelector("button[value=preview]");
  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (timer) { clearTimeout(timer); }
      refresh();
    });
  }
})();
