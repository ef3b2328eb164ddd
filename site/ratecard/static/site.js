// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Dark mode: the page's dark colours (site.css) on every part of a figure that Plotly's
  // default light template would draw pale on dark or dark on dark.
  // The meter colours of charts.py, lightened for a dark page (as site.css does for the SVG).
  var DARK_METERS = { "#1f5fbf": "#7aa7ff", "#c2570c": "#f0883e", "#1a7f37": "#56d364",
                      "#8250df": "#bc8cff", "#b42318": "#ff8a80", "#0e7490": "#39c5cf" };
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
  // A page that names plotly in data-plotly (the profile) does not load it up front: it
  // is fetched once a chart's box scrolls into view or the reader asks for it, and until
  // then the server's SVG (charts/svg.py) stands in for it.
  var plotlyLoad = null;

  function loadPlotly(src) {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!plotlyLoad) {
      plotlyLoad = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { plotlyLoad = null; reject(new Error("plotly.js")); };
        document.head.appendChild(script);
      });
    }
    return plotlyLoad;
  }

  function drawChart(node) {
    if (node.hasAttribute("data-drawn") || !window.Plotly) { return; }
    var source = document.getElementById(node.getAttribute("data-chart"));
    if (!source) { return; }
    node.setAttribute("data-drawn", "");
    var fig = JSON.parse(source.textContent);
    fig.layout = fig.layout || {};
    if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
      darkLayout(fig.layout);
      (fig.data || []).forEach(function (trace) {
        [trace.line, trace.marker].forEach(function (part) {
          if (part && DARK_METERS[part.color]) { part.color = DARK_METERS[part.color]; }
        });
      });
    }
    // On a touch screen a drag should scroll the page, not zoom the chart.
    if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
      fig.layout.dragmode = false;
    }
    var config = { responsive: true, displaylogo: false };
    if (node.hasAttribute("data-plotly")) { config.displayModeBar = false; }
    window.Plotly.newPlot(node, fig.data, fig.layout, config).then(function () {
      var box = node.closest("[data-chart-box]");
      if (!box) { return; }
      box.classList.add("interactive");
      // The button that asked is gone now: keep the keyboard where the reader was.
      var pressed = box.querySelector('[data-range][aria-pressed="true"]');
      if (box.hasAttribute("data-asked") && pressed) { pressed.focus(); }
    });
  }

  function rangeButtons(box, node) {
    box.querySelectorAll("[data-range]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.Plotly || !node.hasAttribute("data-drawn")) { return; }
        var months = button.getAttribute("data-range");
        var update = { "xaxis.autorange": true };
        if (months !== "all") {
          var end = new Date();
          var start = new Date(end.getTime());
          start.setUTCMonth(start.getUTCMonth() - parseInt(months, 10));
          update = { "xaxis.range": [start.toISOString().slice(0, 10),
                                     end.toISOString().slice(0, 10)] };
        }
        window.Plotly.relayout(node, update);
        box.querySelectorAll("[data-range]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
    });
  }

  function drawCharts() {
    var nodes = document.querySelectorAll("[data-chart]");
    var observer = null;
    var waiting = [];
    function fetchAndDraw(node) {
      loadPlotly(node.getAttribute("data-plotly")).then(function () {
        drawChart(node);
      }).catch(function () { /* the SVG and the table stay */ });
    }
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) { return; }
          observer.unobserve(entry.target);
          waiting.forEach(function (pair) {
            if (pair[0] === entry.target) { fetchAndDraw(pair[1]); }
          });
        });
      }, { rootMargin: "0px 0px 100px 0px" });
    }
    nodes.forEach(function (node) {
      if (window.Plotly || !node.hasAttribute("data-plotly")) {
        drawChart(node);
        return;
      }
      var box = node.closest("[data-chart-box]");
      var target = box || node;
      if (box) {
        var controls = box.querySelector(".chart-controls");
        if (controls) { controls.hidden = false; }
        var ask = box.querySelector("[data-load-chart]");
        if (ask) {
          ask.addEventListener("click", function () {
            box.setAttribute("data-asked", "");
            ask.disabled = true;
            ask.textContent = "Loading the interactive chart…";
            fetchAndDraw(node);
          });
        }
        rangeButtons(box, node);
      }
      if (observer) {
        waiting.push([target, node]);
        observer.observe(target);
      }
    });
  }

  // Folds: long sections sit in <details data-fold open>; on a narrow screen they start
  // closed behind their summary (unless the address points into one), and open again
  // when the window grows. Without JavaScript they simply stay open.
  function folds() {
    if (!window.matchMedia) { return; }
    var narrow = window.matchMedia("(max-width: 40rem)");
    var list = document.querySelectorAll("details[data-fold]");
    function apply() {
      var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
      list.forEach(function (fold) {
        fold.open = !narrow.matches || (target !== null && fold.contains(target));
      });
    }
    if (list.length) {
      apply();
      if (narrow.addEventListener) { narrow.addEventListener("change", apply); }
    }
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

  function ready() { folds(); drawCharts(); liveForms(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else { ready(); }
})();

// -- search and navigation (issue 12): filters that apply as they change, copy-id buttons,
// "add to compare" that keeps the comparison being built. Every control also works, or is
// hidden, without this file.
(function () {
  "use strict";

  var COMPARE_KEY = "ratecard.compare";
  var MAX_COMPARED = 6;

  // Filters: a GET form with data-autoapply="<selector>" asks for its own result as the
  // reader changes it and swaps that part of the page (the address follows); its button
  // still submits the form the ordinary way.
  function autoApply() {
    document.querySelectorAll("form[data-autoapply]").forEach(function (form) {
      var selector = form.getAttribute("data-autoapply");
      if (!document.querySelector(selector) || !window.fetch || !window.DOMParser) { return; }
      var status = form.querySelector("[data-autoapply-status]");
      var note = form.querySelector(".autoapply-note");
      if (note) { note.hidden = false; }
      var timer = null;
      var serial = 0;

      function address() {
        var params = new URLSearchParams();
        new FormData(form).forEach(function (value, key) {
          if (typeof value === "string" && value.trim() !== "") { params.append(key, value); }
        });
        var query = params.toString();
        return form.action.split("?")[0] + (query ? "?" + query : "");
      }

      function apply() {
        var next = address();
        var mine = ++serial;
        var target = document.querySelector(selector);
        target.setAttribute("aria-busy", "true");
        fetch(next, { headers: { "Accept": "text/html" } }).then(function (response) {
          return response.text().then(function (text) {
            return { ok: response.ok, text: text };
          });
        }).then(function (result) {
          if (mine !== serial) { return; }       // a newer change is on its way
          target.setAttribute("aria-busy", "false");
          var doc = new DOMParser().parseFromString(result.text, "text/html");
          var fresh = doc.querySelector(selector);
          if (!result.ok || !fresh) {
            if (status) {
              status.textContent = "These filters could not be applied: press Show models to see why.";
            }
            return;
          }
          target.innerHTML = fresh.innerHTML;
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", next);
          }
          document.title = doc.title;
          showCopyButtons(target);
          if (status) {
            var total = target.querySelector(".pagination p, .empty");
            status.textContent = total ? total.textContent.trim() : "";
          }
        }).catch(function () {
          target.setAttribute("aria-busy", "false");  // the button still works
        });
      }

      // A submitted form loads the page itself: no swap may land after that.
      form.addEventListener("submit", function () {
        clearTimeout(timer);
        serial += 1;
      });
      form.addEventListener("change", function (event) {
        if (event.target.type === "search" || event.target.type === "number") { return; }
        clearTimeout(timer);
        apply();
      });
      form.addEventListener("input", function (event) {
        if (event.target.type !== "search" && event.target.type !== "number") { return; }
        clearTimeout(timer);
        timer = setTimeout(apply, 300);
      });
    });
  }

  // Copy-id buttons: <button data-copy="id" hidden>, shown here; a button, so Enter and
  // Space work; it says "Copied" (and tells screen readers) for a moment.
  function showCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function liveRegion() {
    var region = document.getElementById("copy-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "copy-status";
      region.className = "sr-only";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    return region;
  }

  function copyByCommand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!copyByCommand(text)) { throw new Error("copy refused"); }
      });
    }
    return copyByCommand(text) ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function onCopy(button) {
    var text = button.getAttribute("data-copy");
    var label = button.firstChild;
    copyText(text).then(function () {
      label.textContent = "Copied";
      button.classList.add("copied");
      liveRegion().textContent = "Copied " + text;
    }, function () {
      label.textContent = "Copy failed";
      liveRegion().textContent = "Could not copy; the id is " + text;
    }).then(function () {
      button.focus();
      clearTimeout(button.copyTimer);
      button.copyTimer = setTimeout(function () {
        label.textContent = "Copy id";
        button.classList.remove("copied");
      }, 2500);
    });
  }

  // Add to compare: a plain link to /compare?models=<id>; here it also keeps the models
  // of the comparison last shown (remembered by the compare page), up to six.
  function remembered() {
    try {
      var raw = window.localStorage.getItem(COMPARE_KEY);
      return raw ? raw.split(",").filter(Boolean) : [];
    } catch (e) { return []; }
  }

  function remember() {
    var current = document.querySelector("[data-compare-current]");
    if (!current) { return; }
    try {
      window.localStorage.setItem(COMPARE_KEY, current.getAttribute("data-compare-current"));
    } catch (e) { /* storage off: links start a new comparison */ }
  }

  function onAddToCompare(link) {
    var id = link.getAttribute("data-compare-add");
    var ids = remembered().filter(function (other) { return other !== id; });
    ids.push(id);
    ids = ids.slice(-MAX_COMPARED);
    var query = ids.map(function (one) {
      return encodeURIComponent(one).replace(/%2F/gi, "/");
    }).join(",");
    link.href = link.getAttribute("href").split("?")[0] + "?models=" + query;
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var button = target && target.closest("button[data-copy]");
    if (button) { onCopy(button); return; }
    var link = target && target.closest("a[data-compare-add]");
    if (link) { onAddToCompare(link); }
  });

  function ready() { autoApply(); showCopyButtons(document); remember(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else { ready(); }
})();
