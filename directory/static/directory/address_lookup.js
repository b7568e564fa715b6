// The service editor's "Find the address": postcode and house number in, street,
// city and coordinates out. Location forms are added by the editor at any time,
// so one listener on the document serves them all.
(function () {
  "use strict";

  function field(postcodeId, name) {
    return document.getElementById(postcodeId.replace(/postcode$/, name));
  }

  function fill(input, value) {
    if (!input || value === "" || value === null || value === undefined) return;
    input.value = value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  async function find(box) {
    const postcodeId = box.dataset.postcode;
    const status = box.querySelector("[data-ww-address-status]");
    const params = new URLSearchParams({
      postcode: document.getElementById(postcodeId).value,
      number: box.querySelector("[data-ww-address-number]").value,
    });
    status.textContent = "…";
    let answer;
    try {
      const response = await fetch(box.dataset.url + "?" + params, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch (error) {
      status.textContent = box.dataset.failed || String(error);
      return;
    }
    status.textContent = answer.message;
    const found = answer.found;
    if (!found) return;
    fill(field(postcodeId, "postcode"), found.postcode);
    fill(field(postcodeId, "address"), found.street);
    fill(field(postcodeId, "city"), found.city);
    fill(field(postcodeId, "latitude"), found.latitude);
    fill(field(postcodeId, "longitude"), found.longitude);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-ww-address-find]");
    if (!button) return;
    event.preventDefault();
    find(button.closest("[data-ww-address-lookup]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-ww-address-number]")) {
      // Enter in the number box looks the address up instead of submitting the page.
      event.preventDefault();
      find(event.target.closest("[data-ww-address-lookup]"));
    }
  });
  // The map preview: a marker at the latitude and longitude boxes, drawn
  // with our own Leaflet; tiles only where the deployment configured them.
  function coordinates(postcodeId) {
    const lat = parseFloat((field(postcodeId, "latitude") || {}).value);
    const lon = parseFloat((field(postcodeId, "longitude") || {}).value);
    return Number.isFinite(lat) && Number.isFinite(lon) ? [lat, lon] : null;
  }

  function preview(box) {
    if (!window.L) return;
    const at = coordinates(box.dataset.postcode);
    box.hidden = !at;
    if (!at) return;
    if (!box.wwMap) {
      const tiles = JSON.parse(box.dataset.tiles || "{}");
      box.wwMap = L.map(box, { attributionControl: Boolean(tiles.url), scrollWheelZoom: false });
      if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(box.wwMap);
      box.wwMarker = L.circleMarker(at, { radius: 8, color: "#1d5b8f", fillOpacity: 0.8 }).addTo(box.wwMap);
    }
    box.wwMarker.setLatLng(at);
    box.wwMap.setView(at, 16);
    box.wwMap.invalidateSize();
    box.dataset.at = at.join(",");
  }

  function previewFor(input) {
    const match = /^(.*)(latitude|longitude)$/.exec(input.id || "");
    if (!match) return;
    const box = document.querySelector('[data-ww-location-preview][data-postcode="' + match[1] + 'postcode"]');
    if (box) preview(box);
  }
  document.addEventListener("change", function (event) { previewFor(event.target); });
  document.addEventListener("input", function (event) { previewFor(event.target); });

  function reveal() {
    document.querySelectorAll("[data-ww-address-lookup][hidden]").forEach(function (box) {
      box.hidden = false;
    });
    document.querySelectorAll("[data-ww-location-preview]:not([data-ww-drawn])").forEach(function (box) {
      if (!document.getElementById(box.dataset.postcode)) return;
      box.setAttribute("data-ww-drawn", "");
      preview(box);
    });
  }
  // The boxes need JavaScript, so they show only when it runs, also in
  // location forms the editor adds later.
  document.addEventListener("DOMContentLoaded", reveal);
  new MutationObserver(reveal).observe(document.documentElement, { childList: true, subtree: true });
})();
