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

  enableSharing();
  refreshOpening();
  window.setInterval(refreshOpening, 60 * 1000);
})();
