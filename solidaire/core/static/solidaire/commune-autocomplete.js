/* Progressive enhancement of the commune field: suggestions as the person types (ARIA 1.2
   combobox with a listbox). Without JavaScript the server resolves the typed name or postal
   code and, when several communes match, offers radio buttons. */
(function () {
  "use strict";
  var input = document.querySelector("[data-commune-autocomplete]");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var hidden = form.querySelector("input[name=commune_code]");
  var postal = form.querySelector("input[name=postal_code]");
  var campaign = form.dataset.campaign || "";
  var list = document.createElement("ul");
  list.id = input.id + "-suggestions";
  list.setAttribute("role", "listbox");
  list.className = "suggestions";
  list.hidden = true;
  input.insertAdjacentElement("afterend", list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  var results = [];
  var active = -1;
  var timer = null;
  var base = (document.documentElement.lang && document.documentElement.lang !== "fr") ? "/" + document.documentElement.lang : "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function highlight(index) {
    var items = list.querySelectorAll("[role=option]");
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (items[index]) { input.setAttribute("aria-activedescendant", items[index].id); }
  }
  function choose(index) {
    var result = results[index];
    if (!result) { return; }
    input.value = result.label;
    if (hidden) { hidden.value = result.code; }
    if (postal && result.postal_codes.length === 1) { postal.value = result.postal_codes[0]; }
    close();
  }
  function render() {
    list.innerHTML = "";
    results.forEach(function (result, i) {
      var item = document.createElement("li");
      item.id = list.id + "-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = result.label;
      item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    if (hidden) { hidden.value = ""; }
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { results = []; render(); return; }
    timer = setTimeout(function () {
      var url = base + "/communes.json?q=" + encodeURIComponent(query) + "&campaign=" + encodeURIComponent(campaign);
      fetch(url).then(function (r) { return r.json(); }).then(function (data) {
        results = data.results || [];
        render();
      }).catch(function () { results = []; render(); });
    }, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, results.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
}());
