/* Counter: scan a voucher's QR code with the phone's camera. Browsers that read QR codes
   themselves (BarcodeDetector: Chrome on Android…) do it natively; the others (Safari, Firefox)
   decode the camera's frames with the vendored jsQR, loaded only then. Without a camera or
   JavaScript the code is typed in the form. The QR code holds the voucher's address: the page
   goes there, on this site only. */
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var native = "BarcodeDetector" in window;
  box.hidden = false;

  function voucherPath(text) {
    try {
      var url = new URL(text, window.location.href);
      if (/^\/bons\/scan\/[^/]+\/$/.test(url.pathname)) { return url.pathname; }
    } catch (e) { /* not an address */ }
    return null;
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = box.dataset.jsqr;
      script.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function nativeReader() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return Promise.resolve(function () {
      return detector.detect(video).then(function (codes) {
        return codes.map(function (c) { return c.rawValue; });
      });
    });
  }

  function jsQRReader() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) { return Promise.resolve([]); }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var found = jsQR(context.getImageData(0, 0, width, height).data, width, height,
                         { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? [found.data] : []);
      };
    });
  }

  start.addEventListener("click", function () {
    var denied = function () { status.textContent = start.dataset.denied || ""; };
    (native ? nativeReader() : jsQRReader()).then(function (read) {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var tick = function () {
          read().then(function (texts) {
            var path = null;
            texts.forEach(function (t) { path = path || voucherPath(t); });
            if (path) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              window.location.pathname = path;
            } else { window.setTimeout(tick, 150); }
          }).catch(function () { window.setTimeout(tick, 150); });
        };
        tick();
      });
    }).catch(denied);
  });
}());
