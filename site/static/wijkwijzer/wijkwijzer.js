/* Wijkwijzer: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Open or closed: the page lists the labels of its opening lines once
     (#ww-opening-labels: open, text, note), worded by the server in the
     reader's language (directory/opening.py); each line carries the coming
     week's moments as pairs of numbers: seconds since the previous moment
     (the first since the epoch) and the label that starts then. Show the
     one that applies now, so a page kept in a cache does not say "open"
     after closing time. */
  function refreshOpening() {
    var table = document.getElementById("ww-opening-labels");
    var labels;
    if (!table) return;
    try { labels = JSON.parse(table.textContent); } catch (e) { return; }
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-ww-opening]").forEach(function (line) {
      var numbers = line.getAttribute("data-ww-opening").split(" ").map(Number);
      var start = 0;
      var current = null;
      for (var i = 0; i + 1 < numbers.length; i += 2) {
        start += numbers[i];
        if (current && start > now) break;
        current = labels[numbers[i + 1]];
      }
      if (!current) return;
      line.querySelector(".ww-opening__text").textContent = current[1];
      line.querySelector(".ww-opening__note").textContent = current[2];
      line.querySelector(".ww-opening__reason").hidden = !current[2];
      line.classList.toggle("ww-opening--open", current[0] === 1);
    });
  }

  /* Share: the phone's share sheet where the browser has one (Web Share
     API), otherwise copy the link, and say so where screen readers hear it. */
  function enableSharing() {
    document.querySelectorAll("[data-ww-share]").forEach(function (box) {
      var button = box.querySelector(".ww-share__button");
      var field = box.querySelector(".ww-share__link");
      var status = box.querySelector(".ww-share__status");
      button.hidden = false;
      button.addEventListener("click", function () {
        var url = field.value;
        if (navigator.share) {
          navigator.share({ title: box.getAttribute("data-ww-share-title"), url: url }).catch(function () {});
          return;
        }
        var done = function () { status.textContent = box.getAttribute("data-ww-copied"); };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(done, function () { field.select(); });
        } else {
          field.select();
          if (document.execCommand("copy")) done();
        }
      });
      field.addEventListener("focus", function () { field.select(); });
    });
  }

  /* Maps: Leaflet and map.js are fetched only when a map is shown, so pages
     without one, and a service page read only above its map, never load them.
     A service page's map is drawn when it scrolls into view; the search page
     asks for its map through Wijkwijzer.showMap (search.js). */
  var mapCode = null;

  function load(element) {
    return new Promise(function (resolve, reject) {
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadMapCode(container) {
    if (!mapCode) {
      var urls = container.getAttribute("data-ww-map-assets").split(" ");
      var style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = urls[0];
      mapCode = Promise.all([load(style), urls.slice(1).reduce(function (ready, url) {
        return ready.then(function () {
          var script = document.createElement("script");
          script.src = url;
          return load(script);
        });
      }, Promise.resolve())]);
    }
    return mapCode;
  }

  function showMap(container) {
    container.hidden = false;
    return loadMapCode(container)
      .then(function () { window.WijkwijzerMap.draw(container); })
      .catch(function (error) {
        container.hidden = true; // the address and the route links remain
        if (window.console) console.error(error);
      });
  }

  function enableLazyMaps() {
    var maps = document.querySelectorAll("[data-ww-map-lazy]");
    if (!maps.length || !window.Promise) return;
    var observer = "IntersectionObserver" in window && new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        showMap(entry.target);
      });
    }, { rootMargin: "100px" });
    maps.forEach(function (container) {
      container.hidden = false;
      if (observer) observer.observe(container); else showMap(container);
    });
  }

  window.Wijkwijzer = { showMap: showMap, refreshOpening: refreshOpening };

  enableSharing();
  enableLazyMaps();
  refreshOpening();
  window.setInterval(refreshOpening, 60 * 1000);
})();
