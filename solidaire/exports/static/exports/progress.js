// The exports page while a file is being built: asks the server for each unfinished export's
// state every few seconds and updates its row (state, progress bar, rows, download link), and
// announces when a file is ready. It stops once every export is done or failed, or after half an
// hour. Everything it needs is in the page's data-* attributes and <template>s (no inline
// script: the Content-Security-Policy forbids them). Without JavaScript, the "Refresh" link
// does the same by hand.
(function () {
  "use strict";
  if (!window.fetch) return;
  var working = ["queued", "running"];
  var delay = 2000;
  var started = Date.now();
  var giveUpAfter = 30 * 60 * 1000;
  var announce = document.querySelector("[data-announce]");
  var linkText = document.getElementById("download-link-text");
  var rowsText = document.getElementById("download-rows-text");

  function text(template, fallback) {
    return template ? template.innerHTML.trim() : fallback;
  }

  function pending() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-export-status]"), function (row) {
      return working.indexOf(row.getAttribute("data-status")) !== -1;
    });
  }

  function update(row, state) {
    row.setAttribute("data-status", state.status);
    var label = row.querySelector("[data-label]");
    if (label) label.textContent = state.label;
    var bar = row.querySelector("[data-progress]");
    var rows = row.querySelector("[data-rows]");
    if (working.indexOf(state.status) !== -1) {
      if (bar) {
        bar.value = state.percent;
        bar.textContent = state.percent + " %";
      }
      if (rows && state.total) rows.textContent = state.done + " / " + state.total;
      return;
    }
    if (bar) bar.remove();
    if (rows) rows.textContent = state.rows !== null ? state.rows + " " + text(rowsText, "rows") : "";
    var file = row.querySelector("[data-file]");
    if (file && state.download) {
      var link = document.createElement("a");
      link.href = state.download;
      link.setAttribute("download", "");
      link.textContent = text(linkText, "Download");
      file.textContent = "";
      file.appendChild(link);
    }
    if (announce) announce.textContent = state.label;
  }

  function ask() {
    var rows = pending();
    if (!rows.length || Date.now() - started > giveUpAfter) return;
    Promise.all(
      rows.map(function (row) {
        return fetch(row.getAttribute("data-export-status"), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            if (!response.ok) throw new Error(response.status);
            return response.json();
          })
          .then(function (state) {
            update(row, state);
          });
      })
    )
      .then(function () {
        window.setTimeout(ask, delay);
      })
      .catch(function () {
        window.setTimeout(ask, delay * 3);
      });
  }
  window.setTimeout(ask, delay);
})();
