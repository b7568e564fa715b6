/* Wijkwijzer's maps, drawn with Leaflet (vendor/leaflet, from npm). wijkwijzer.js
   fetches Leaflet and this file only when a map is shown, and calls draw().

   The data comes from the page (data-ww-map, see directory/maps.py): markers,
   wijk outlines and, only where the deployment configured them, background
   tiles. Without tiles nothing is asked of any other host. Markers are
   buttons named after their place or service (Enter opens the popup); the
   zoom buttons are named in the reader's language. */
(function () {
  "use strict";

  var OUTLINE = { color: "#1d5b8f", weight: 2, fillColor: "#1d5b8f", fillOpacity: 0.08 };

  function popupContent(marker) {
    var box = document.createElement("div");
    box.className = "ww-map__popup";
    var title = document.createElement(marker.url ? "a" : "strong");
    title.textContent = marker.label;
    title.setAttribute("dir", "auto");
    if (marker.url) {
      title.href = marker.url;
      title.className = "utrecht-link";
    }
    box.appendChild(title);
    if (marker.place) {
      var place = document.createElement("div");
      place.textContent = marker.place;
      place.setAttribute("dir", "auto");
      box.appendChild(place);
    }
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
      dragging: !L.Browser.mobile
    });
    L.control.zoom({
      zoomInTitle: container.getAttribute("data-ww-zoom-in"),
      zoomOutTitle: container.getAttribute("data-ww-zoom-out")
    }).addTo(map);
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    }

    var bounds = L.latLngBounds([]);
    data.areas.forEach(function (area) {
      var layer = L.geoJSON(area.outline, { style: OUTLINE, interactive: false }).addTo(map);
      bounds.extend(layer.getBounds());
    });
    data.markers.forEach(function (item) {
      var marker = L.marker(item.at, {
        icon: L.divIcon({ className: "ww-map__marker", iconSize: [22, 22] }),
        title: item.label,
        keyboard: true
      }).addTo(map);
      marker.getElement().setAttribute("aria-label", item.label);
      marker.bindPopup(popupContent(item));
      bounds.extend(item.at);
    });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", container.getAttribute("data-ww-close"));
    });

    if (!bounds.isValid()) {
      map.setView([52.09, 5.12], 12);
    } else if (data.markers.length === 1 && !data.areas.length) {
      map.setView(data.markers[0].at, 16);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }
    container.wwMap = map;
    container.setAttribute("data-ww-map-ready", "");
  }

  window.WijkwijzerMap = { draw: draw };
})();
