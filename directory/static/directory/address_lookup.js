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
  function reveal() {
    document.querySelectorAll("[data-ww-address-lookup][hidden]").forEach(function (box) {
      box.hidden = false;
    });
  }
  // The boxes need JavaScript, so they show only when it runs, also in
  // location forms the editor adds later.
  document.addEventListener("DOMContentLoaded", reveal);
  new MutationObserver(reveal).observe(document.documentElement, { childList: true, subtree: true });
})();
