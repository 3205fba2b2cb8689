// The portal's own script (no inline scripts: the Content-Security-Policy allows this site's
// files only). Registers the service worker; a <select data-autosubmit> sends its form on change
// (web/fields.js, loaded beside it, counts a field's length and words its checks).
(function () {
  var me = document.currentScript;
  if (me && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(me.dataset.sw, { scope: "/portal/" }).catch(function () {});
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
  });
})();
