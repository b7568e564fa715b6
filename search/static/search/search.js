// Progressive enhancement for the search page. Without JavaScript the form is a
// plain GET form and everything works; with it, results and counts follow the
// filters without a full reload, and the search box suggests service titles.
(function () {
  "use strict";
  var form = document.querySelector("form.ww-search");
  var results = document.getElementById("search-results");
  if (!form || !results || !window.fetch || !window.DOMParser) return;

  var pending = null;

  /* List or map: the map shows the same page of results (search/includes/
     results.html carries its data); Leaflet is fetched the first time it is
     asked for. The choice holds while filters refresh the results. */
  var views = document.querySelector(".ww-view-switch");
  var view = "list";

  function showView() {
    if (!views || !window.Wijkwijzer) return;
    var map = document.getElementById("search-map");
    var list = document.getElementById("search-list");
    var onMap = view === "map" && Boolean(map);
    views.hidden = !map;
    views.querySelectorAll("[data-ww-view]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-ww-view") === view));
    });
    if (list) list.hidden = onMap;
    if (!map) return;
    if (onMap) window.Wijkwijzer.showMap(map); else map.hidden = true;
  }

  if (views) {
    views.addEventListener("click", function (event) {
      var button = event.target.closest("[data-ww-view]");
      if (!button) return;
      view = button.getAttribute("data-ww-view");
      showView();
    });
    showView();
  }

  function queryString() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (params.get(key) === "") params.delete(key);
    });
    return params.toString();
  }

  function refresh() {
    var url = form.action + "?" + queryString();
    if (pending) pending.abort();
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("search-results");
        if (fresh) {
          results.innerHTML = fresh.innerHTML;
          showView();
        }
        // The new cards point into the new page's opening labels.
        var labels = page.getElementById("ww-opening-labels");
        var current = document.getElementById("ww-opening-labels");
        if (labels && current) current.textContent = labels.textContent;
        else if (labels) document.body.appendChild(labels);
        if (window.Wijkwijzer) window.Wijkwijzer.refreshOpening();
        page.querySelectorAll(".ww-count[id]").forEach(function (count) {
          var current = document.getElementById(count.id);
          if (current) current.textContent = count.textContent;
        });
        history.replaceState(null, "", url);
      })
      .catch(function () { /* keep the current results; submitting still works */ })
      .finally(function () { results.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "q" && event.target.name !== "place") refresh();
  });

  /* A datalist filled with what the server suggests for the typed text:
     service titles for the search box, municipality names for the place
     filter when there are too many municipalities to list. */
  function offer(box, list, url, texts) {
    if (!box || !list || !url) return;
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var text = box.value.trim();
      if (text.length < 2) return;
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(text))
          .then(function (response) { return response.json(); })
          .then(function (data) {
            list.replaceChildren.apply(list, texts(data).map(function (value) {
              var option = document.createElement("option");
              option.value = value;
              return option;
            }));
          })
          .catch(function () {});
      }, 200);
    });
  }

  offer(document.getElementById("search-q"), document.getElementById("search-suggestions"),
    form.dataset.suggestUrl, function (data) {
      return data.suggestions.map(function (item) { return item.title; });
    });
  offer(document.getElementById("search-gemeente"), document.getElementById("search-municipalities"),
    form.dataset.municipalitiesUrl, function (data) {
      return data.municipalities.map(function (item) { return item.name; });
    });
})();
