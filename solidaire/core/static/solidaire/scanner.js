/* Counter: scan a voucher's QR code with the phone's camera where the browser can read QR codes
   (BarcodeDetector); everywhere else the code is typed. The QR code holds the voucher's address:
   the page simply goes there. */
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  box.hidden = false;
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var tick = function () {
        detector.detect(video).then(function (codes) {
          var path = null;
          codes.forEach(function (c) {
            try {
              var url = new URL(c.rawValue, window.location.href);
              if (/^\/bons\/scan\/[^/]+\/$/.test(url.pathname)) { path = url.pathname; }
            } catch (e) { /* not an address */ }
          });
          if (path) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            window.location.pathname = path;  // always this site: a QR code cannot send elsewhere
          } else { window.requestAnimationFrame(tick); }
        }).catch(function () { window.requestAnimationFrame(tick); });
      };
      tick();
    }).catch(function () { status.textContent = start.dataset.denied || ""; });
  });
}());
