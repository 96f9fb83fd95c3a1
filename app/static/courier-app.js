// The couriers' pages as an app: register the service worker, ask it to keep an offline
// copy of this page, say when it has, and offer to install (the browser's own prompt where
// there is one, the Share menu on iPhone, "open in browser" inside WeChat, which cannot
// install). Without JavaScript or service workers the pages work as before, online only.
(function () {
  "use strict";
  var tools = document.getElementById("offline-tools");
  if (!tools || !("serviceWorker" in navigator)) return;
  var status = document.getElementById("offline-status");
  var installButton = document.getElementById("install-button");
  var standalone = window.matchMedia("(display-mode: standalone)").matches;
  var inWeChat = /MicroMessenger/i.test(navigator.userAgent);
  var deferredPrompt = null;

  function reveal(id) {
    document.getElementById(id).hidden = false;
    tools.hidden = false;
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "copy-kept" && data.url === location.href) {
      status.textContent = tools.dataset.kept;
      tools.hidden = false;
    }
  });

  navigator.serviceWorker
    .register(tools.dataset.worker, { scope: tools.dataset.scope })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      registration.active.postMessage({ type: "keep-copy", url: location.href });
    })
    .catch(function () {});

  if (standalone) return;
  if (inWeChat) {
    reveal("install-wechat");
    return;
  }
  if (navigator.standalone === false) reveal("install-ios");

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferredPrompt = event;
    reveal("install-offer");
  });
  installButton.addEventListener("click", function () {
    if (!deferredPrompt) return;
    deferredPrompt.prompt();
    deferredPrompt.userChoice.then(function () {
      deferredPrompt = null;
      document.getElementById("install-offer").hidden = true;
    });
  });
  window.addEventListener("appinstalled", function () {
    document.getElementById("install-offer").hidden = true;
  });
})();
