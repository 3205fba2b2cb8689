/* The portal's service worker: keeps the shell (style, icons, the offline answer) so that the
   installed app opens on a slow or lost link. Pages are always asked from the network first:
   they hold the resident's own data and must be fresh. */
var SHELL = "portal-shell-v1";
var FILES = ["/portal/manifest.webmanifest"];
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(FILES); }));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== SHELL; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/portal/") === 0 || url.pathname === "/portal/manifest.webmanifest") {
    // The shell: from the cache, refreshed from the network behind it.
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        return hit || fresh;
      });
    }));
  }
});
