// The portal's only script (no inline scripts: the Content-Security-Policy allows this site's
// files only). Registers the service worker; a <select data-autosubmit> sends its form on change;
// a field's length limit is counted beside it.
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

// A field's length limit (data-maxlength; never maxlength, with which the browser cuts a paste
// without a word): a counter beside it, n/limit, red past the limit. Nothing is cut; the server
// refuses a text over the limit with the limit in words and keeps it on the form.
(function () {
  "use strict";
  function count(el) {
    var limit = Number(el.getAttribute("data-maxlength"));
    var box = el.nextElementSibling;
    if (!box || !box.classList.contains("char-count")) {
      box = document.createElement("span");
      box.className = "char-count";
      box.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", box);
    }
    var n = el.value.length;
    box.textContent = n + "/" + limit;
    box.classList.toggle("over", n > limit);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-maxlength]").forEach(count);
  });
  document.addEventListener("input", function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-maxlength")) { count(e.target); }
  });
})();
