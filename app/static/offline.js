// An offline copy of a courier page: say how old its information is ("5 分钟前的信息"),
// from the moment the server wrote into it, and keep saying it while the page stays open.
(function () {
  "use strict";
  var stamp = document.getElementById("offline-age");
  if (!stamp) return;
  var savedAt = Date.parse(stamp.dataset.savedAt);
  var texts = JSON.parse(stamp.dataset.texts);
  if (isNaN(savedAt) || !texts) return;

  function phrase(unit, count) {
    return texts[unit][count === 1 ? 0 : 1].replace("{n}", String(count));
  }

  function age() {
    var minutes = Math.max(0, Math.floor((Date.now() - savedAt) / 60000));
    if (minutes < 1) return texts.now;
    if (minutes < 60) return phrase("minutes", minutes);
    if (minutes < 48 * 60) return phrase("hours", Math.floor(minutes / 60));
    return phrase("days", Math.floor(minutes / (24 * 60)));
  }

  function show() {
    stamp.textContent = age();
  }

  show();
  setInterval(show, 30000);
})();
