// The donor's gift page while the payment is awaited: asks the server for the gift's state every
// few seconds and puts it in place (the region is a polite live region: screen readers announce
// the change), with the page's heading for that state. It stops once the payment is settled
// (confirmed, failed...), or after a quarter of an hour. Everything it needs is in the page's
// data-* attributes (no inline script: the Content-Security-Policy forbids them). Without
// JavaScript, the page's "Refresh" link does the same by hand.
(function () {
  "use strict";
  var region = document.querySelector("[data-refresh]");
  if (!region || !window.fetch) return;
  var url = region.getAttribute("data-refresh");
  var waiting = ["pending", "processing"];
  var started = Date.now();
  var delay = 3000;
  var giveUpAfter = 15 * 60 * 1000;

  function showHeading() {
    var heading = document.querySelector("h1");
    var said = region.querySelector("[data-heading]");
    if (heading && said) heading.textContent = said.textContent.trim();
  }

  function ask() {
    if (Date.now() - started > giveUpAfter) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return Promise.all([response.text(), response.headers.get("X-Gift-Status")]);
      })
      .then(function (result) {
        var html = result[0];
        var status = result[1];
        if (status && status !== region.getAttribute("data-status")) {
          region.innerHTML = html;
          region.setAttribute("data-status", status);
          region.className = "gift-status gift-status-" + status;
          showHeading();
          if (waiting.indexOf(status) === -1) {
            document.querySelectorAll("[data-while-waiting]").forEach(function (element) {
              element.hidden = true;
            });
            return;
          }
        }
        window.setTimeout(ask, delay);
      })
      .catch(function () {
        window.setTimeout(ask, delay * 2);
      });
  }
  window.setTimeout(ask, delay);
})();
