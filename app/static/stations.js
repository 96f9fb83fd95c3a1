// /stations: ask the browser where we are, once, and search from there. Without
// JavaScript or without permission the page still works: choose a place from the list.
(function () {
  "use strict";
  var form = document.getElementById("station-search");
  if (!form || !("geolocation" in navigator)) return;
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  button.hidden = false;

  function locate() {
    status.textContent = button.dataset.working;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        form.elements.near.value = "";
        form.submit();
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  }

  button.addEventListener("click", locate);
  if (form.dataset.autolocate === "true") locate();
})();
