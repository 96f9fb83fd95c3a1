// Linli's service worker for the couriers' pages (/stations and /stations/{slug}).
// Online pages are never stored: after each visit the page asks for its `?offline=1` copy
// (no forms, nothing personal), which is kept under the page's address and shown, stamped
// with its age, when the network fails or the server answers 5xx. A new version (a deploy)
// installs beside the old one and deletes the old caches when it takes over.
"use strict";

const CONFIG = {{ config|tojson }};
const ASSETS = "linli-assets-" + CONFIG.version;
const PAGES = "linli-pages-" + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(ASSETS)
      .then(function (cache) { return cache.addAll(CONFIG.assets.concat([CONFIG.fallback])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("linli-") === 0 && name !== ASSETS && name !== PAGES;
            })
            .map(function (name) { return caches.delete(name); })
        );
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isSearch(url) {
  return ["near", "lat"].some(function (name) {
    return (url.searchParams.get(name) || "").trim() !== "";
  });
}

// The address a copy is kept under, or null for pages that have none: a search with a
// place or a position (the whole query); the list without one (how the installed app
// starts) shows the latest search; a station's page (its path; `from` only adds a
// distance).
function copyKey(url) {
  if (url.origin !== self.location.origin || url.searchParams.has("offline")) return null;
  if (url.pathname === CONFIG.scope) {
    return url.origin + url.pathname + (isSearch(url) ? url.search : "");
  }
  const rest = url.pathname.slice(CONFIG.scope.length + 1);
  if (url.pathname.indexOf(CONFIG.scope + "/") !== 0 || !rest || rest.indexOf("/") !== -1) {
    return null;
  }
  return CONFIG.reserved.indexOf(rest) === -1 ? url.origin + url.pathname : null;
}

async function keepCopy(pageUrl) {
  const url = new URL(pageUrl);
  const key = copyKey(url);
  const search = url.pathname === CONFIG.scope;
  if (key === null || (search && !isSearch(url))) return false;
  url.searchParams.set("offline", "1");
  const response = await fetch(url, { cache: "no-store", redirect: "error" });
  const pages = await caches.open(PAGES);
  if (!response.ok) {
    if (response.status === 404) await pages.delete(key);
    return false;
  }
  if (search) await pages.put(url.origin + url.pathname, response.clone());
  await pages.put(key, response);
  const keys = await pages.keys();
  await Promise.all(
    keys.slice(0, Math.max(0, keys.length - CONFIG.kept_copies)).map(function (old) {
      return pages.delete(old);
    })
  );
  // The page for unsaved addresses follows the language of the latest visit.
  const fallback = await fetch(CONFIG.fallback, { cache: "no-store" });
  if (fallback.ok) await (await caches.open(ASSETS)).put(CONFIG.fallback, fallback);
  return true;
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type !== "keep-copy" || typeof data.url !== "string") return;
  event.waitUntil(
    keepCopy(data.url)
      .then(function (kept) {
        if (kept && event.source) event.source.postMessage({ type: "copy-kept", url: data.url });
      })
      .catch(function () {})
  );
});

async function storedCopy(key) {
  const pages = await caches.open(PAGES);
  return pages.match(key);
}

async function pageOrCopy(request, key) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const copy = await storedCopy(key);
    if (copy) return copy;
    const fallback = await (await caches.open(ASSETS)).match(CONFIG.fallback);
    return fallback || Response.error();
  }
  if (response.status >= 500) return (await storedCopy(key)) || response;
  return response;
}

async function asset(request) {
  const stored = await (await caches.open(ASSETS)).match(request);
  return stored || fetch(request);
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
    return;
  }
  if (request.mode !== "navigate") return;
  const key = copyKey(url);
  if (key !== null) event.respondWith(pageOrCopy(request, key));
});
