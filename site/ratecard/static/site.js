// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Dark mode: the page's dark colours (site.css) on every part of a figure that Plotly's
  // default light template would draw pale on dark or dark on dark.
  var DARK = { bg: "#0f1216", fg: "#e6e9ed", muted: "#a3acb7", grid: "#262d36",
               line: "#4a5360", button: "#232a33", active: "#3d5a8a" };

  function darkLayout(layout) {
    layout.template = undefined;
    layout.paper_bgcolor = DARK.bg;
    layout.plot_bgcolor = DARK.bg;
    layout.font = Object.assign({}, layout.font, { color: DARK.fg });
    if (!layout.xaxis) { layout.xaxis = {}; }
    if (!layout.yaxis) { layout.yaxis = {}; }
    Object.keys(layout).forEach(function (key) {
      if (!/^[xy]axis\d*$/.test(key) || !layout[key]) { return; }
      var axis = layout[key];
      axis.gridcolor = DARK.grid;
      axis.linecolor = DARK.line;
      axis.zerolinecolor = DARK.line;
      axis.tickcolor = DARK.line;
      axis.tickfont = Object.assign({}, axis.tickfont, { color: DARK.fg });
      if (axis.title && typeof axis.title === "object") {
        axis.title.font = Object.assign({}, axis.title.font, { color: DARK.fg });
      }
      if (axis.rangeselector) {
        Object.assign(axis.rangeselector, {
          bgcolor: DARK.button, activecolor: DARK.active, bordercolor: DARK.line,
          borderwidth: 1, font: Object.assign({}, axis.rangeselector.font, { color: DARK.fg })
        });
      }
    });
    (layout.annotations || []).forEach(function (note) {
      note.arrowcolor = DARK.muted;
      note.font = Object.assign({}, note.font, { color: DARK.fg });
      if (note.bgcolor) { note.bgcolor = "rgba(15, 18, 22, 0.85)"; }
    });
    layout.legend = Object.assign({}, layout.legend, {
      font: Object.assign({}, (layout.legend || {}).font, { color: DARK.fg })
    });
    layout.hoverlabel = Object.assign({}, layout.hoverlabel, { bordercolor: DARK.line });
    return layout;
  }

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
      if (dark) { darkLayout(fig.layout); }
      window.Plotly.newPlot(node, fig.data, fig.layout, { responsive: true, displaylogo: false });
    });
  }

  // Live forms: a form with data-live="<json url>" re-asks the server (Decimal arithmetic
  // stays there) as the user types, and fills elements marked data-field="<key>".
  function liveForms() {
    document.querySelectorAll("form[data-live]").forEach(function (form) {
      var timer = null;
      var asked = 0;          // answers can arrive out of order: only the newest is shown
      function update() {
        var query = new URLSearchParams(new FormData(form)).toString();
        var mine = ++asked;
        fetch(form.getAttribute("data-live") + "?" + query, {
          headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (!data || mine !== asked) { return; }
          Object.keys(data).forEach(function (key) {
            document.querySelectorAll('[data-field="' + key + '"]').forEach(function (el) {
              el.textContent = data[key];
            });
          });
          form.setAttribute("data-live-shown", query);     // what the figures answer
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
