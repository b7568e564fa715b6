/* Wijkwijzer's maps, drawn with Leaflet (vendor/leaflet, from npm). wijkwijzer.js
   fetches Leaflet and this file only when a map is shown, and calls draw().

   The data comes from the page (data-ww-map, see directory/maps.py): markers,
   wijk outlines and, only where the deployment configured them, background
   tiles. Without tiles nothing is asked of any other host. Markers are
   buttons named after their place or service (Enter opens the popup); the
   zoom buttons are named in the reader's language. */
(function () {
  "use strict";

  // The wijk outline in the markers' colour, a token of the theme (site/tokens).
  var THEME = getComputedStyle(document.documentElement);
  var COLOUR = THEME.getPropertyValue("--wijkwijzer-map-marker-background-color").trim() || "#1a5a96";
  var OUTLINE = { color: COLOUR, weight: 2, fillColor: COLOUR, fillOpacity: 0.08 };

  function line(tag, text) {
    var element = document.createElement(tag);
    element.textContent = text;
    element.setAttribute("dir", "auto");
    return element;
  }

  /* A location's name and address, or the services found at a place, each
     linked to its page. */
  function popupContent(marker) {
    var box = document.createElement("div");
    box.className = "ww-map__popup";
    // The map itself runs left to right; what it says follows the page.
    box.setAttribute("dir", document.documentElement.getAttribute("dir") || "ltr");
    if (!marker.links) {
      box.appendChild(line("strong", marker.label));
      return box;
    }
    var list = document.createElement("ul");
    list.className = "ww-map__links";
    marker.links.forEach(function (item) {
      var link = line("a", item.label);
      link.href = item.url;
      link.className = "utrecht-link";
      list.appendChild(document.createElement("li")).appendChild(link);
    });
    box.appendChild(list);
    box.appendChild(line("div", marker.place));
    return box;
  }

  function draw(container) {
    if (container.wwMap) {
      container.wwMap.invalidateSize();
      return;
    }
    var data = JSON.parse(container.getAttribute("data-ww-map"));
    var map = L.map(container, {
      zoomControl: false,
      attributionControl: Boolean(data.tiles),
      // The page scrolls under a finger or wheel; zooming is for the buttons,
      // a pinch or the keyboard.
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      // Popups appear at once, at full contrast; zooms glide only for
      // readers who have not asked for less motion.
      fadeAnimation: false,
      zoomAnimation: !(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches)
    });
    L.control.zoom({
      zoomInTitle: container.getAttribute("data-ww-zoom-in"),
      zoomOutTitle: container.getAttribute("data-ww-zoom-out")
    }).addTo(map);
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    }

    // The view first: Leaflet places layers only on a map that has one.
    var bounds = L.latLngBounds([]);
    var outlines = data.areas.map(function (area) {
      var layer = L.geoJSON(area.outline, { style: OUTLINE, interactive: false });
      bounds.extend(layer.getBounds());
      return layer;
    });
    data.markers.forEach(function (item) { bounds.extend(item.at); });
    if (!bounds.isValid()) {
      map.setView([52.09, 5.12], 12);
    } else if (data.markers.length === 1 && !data.areas.length) {
      map.setView(data.markers[0].at, 16);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }

    outlines.forEach(function (layer) { layer.addTo(map); });
    data.markers.forEach(function (item) {
      var marker = L.marker(item.at, {
        icon: L.divIcon({ className: "ww-map__marker", iconSize: [22, 22] }),
        title: item.label,
        keyboard: true
      }).addTo(map);
      marker.getElement().setAttribute("aria-label", item.label);
      marker.bindPopup(popupContent(item));
    });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", container.getAttribute("data-ww-close"));
    });
    container.wwMap = map;
    container.setAttribute("data-ww-map-ready", "");
  }

  window.WijkwijzerMap = { draw: draw };
})();
