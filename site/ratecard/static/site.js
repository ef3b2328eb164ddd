// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Charts: figures are JSON built on the server (ratecard/charts.py), drawn by plotly.js.
  function drawCharts() {
    var nodes = document.querySelectorAll("[data-chart]");
    if (!nodes.length || !window.Plotly) { return; }
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    nodes.forEach(function (node) {
      var source = document.getElementById(node.getAttribute("data-chart"));
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      fig.layout = fig.layout || {};
      if (dark) {
        fig.layout.template = undefined;
        fig.layout.paper_bgcolor = "#0f1216";
        fig.layout.plot_bgcolor = "#0f1216";
        fig.layout.font = Object.assign({}, fig.layout.font, { color: "#e6e9ed" });
      }
      window.Plotly.newPlot(node, fig.data, fig.layout, { responsive: true, displaylogo: false });
    });
  }

  // Live forms: a form with data-live="<json url>" re-asks the server (Decimal arithmetic
  // stays there) as the user types, and fills elements marked data-field="<key>".
  function liveForms() {
    document.querySelectorAll("form[data-live]").forEach(function (form) {
      var timer = null;
      function update() {
        var params = new URLSearchParams(new FormData(form));
        fetch(form.getAttribute("data-live") + "?" + params.toString(), {
          headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (!data) { return; }
          Object.keys(data).forEach(function (key) {
            document.querySelectorAll('[data-field="' + key + '"]').forEach(function (el) {
              el.textContent = data[key];
            });
          });
        }).catch(function () { /* the submit button still works */ });
      }
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(update, 150);
      });
    });
  }

  function ready() { drawCharts(); liveForms(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else { ready(); }
})();
