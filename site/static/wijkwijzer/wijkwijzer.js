/* Wijkwijzer: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Open or closed: the page carries the labels of the coming week, each with
     the moment (seconds since the epoch) it starts, worded by the server in
     the reader's language (directory/opening.py). Show the one that applies
     now, so a page kept in a cache does not say "open" after closing time. */
  function refreshOpening() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-ww-opening]").forEach(function (line) {
      var labels;
      try { labels = JSON.parse(line.getAttribute("data-ww-opening")); } catch (e) { return; }
      if (!labels.length) return;
      var current = labels[0];
      labels.forEach(function (label) { if (label.start <= now) current = label; });
      line.querySelector(".ww-opening__text").textContent = current.text;
      line.querySelector(".ww-opening__note").textContent = current.note;
      line.querySelector(".ww-opening__reason").hidden = !current.note;
      line.classList.toggle("ww-opening--open", current.open);
    });
  }

  refreshOpening();
  window.setInterval(refreshOpening, 60 * 1000);
})();
