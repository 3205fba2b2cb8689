// The size of a chosen file, checked in the browser before anything is uploaded: a file input
// carries the server's limit (data-max-bytes) and the server's own message (data-too-large). A
// file over the limit is taken off the input at once, the message shown beside it, and the form
// cannot send it; the server checks again on its side. An input may also carry the types it
// takes (data-types, data-wrong-type) and how many files (data-max-files, data-too-many). A form
// that may carry files but has none chosen is sent as a plain form (encodeForFiles).
(function () {
  "use strict";

  function messageBox(input) {
    var box = input.parentNode.querySelector(".upload-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "error upload-error";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  // What is wrong with the chosen files, in the server's words: too large; with data-types (the
  // resident portal), not one of those types; with data-max-files, too many. "" when fine.
  function problem(input) {
    var limit = Number(input.dataset.maxBytes || 0);
    var types = input.dataset.types ? input.dataset.types.split(",") : null;
    var most = Number(input.dataset.maxFiles || 0);
    if (!input.files) { return ""; }
    if (most && input.files.length > most) { return input.dataset.tooMany || ""; }
    for (var i = 0; i < input.files.length; i++) {
      if (types && types.indexOf(input.files[i].type) < 0) { return input.dataset.wrongType || ""; }
      if (limit && input.files[i].size > limit) { return input.dataset.tooLarge || ""; }
    }
    return "";
  }

  function check(input) {
    var message = problem(input);
    var refused = message !== "";
    var box = input.parentNode.querySelector(".upload-error");
    if (refused) {
      input.value = "";  // nothing refused leaves this page
      box = messageBox(input);
      box.textContent = message;
      input.setAttribute("aria-invalid", "true");
    } else if (box) {
      box.remove();
      input.removeAttribute("aria-invalid");
    }
    return !refused;
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("input[type=file][data-max-bytes]")) { check(t); }
  });
  // A form that may carry files (enctype multipart/form-data) but carries none this time is sent
  // as a plain form: the server reads a plain body for a fraction of a multipart one's cost (the
  // front desk's intake, bench/RESULTS.md). With a file chosen it is multipart, as written.
  function encodeForFiles(form) {
    if (!form.dataset || !form.elements) { return; }
    if (form.dataset.enctype === undefined) { form.dataset.enctype = form.getAttribute("enctype") || ""; }
    if (form.dataset.enctype !== "multipart/form-data") { return; }
    var carries = false;
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.type === "file" && !el.disabled && el.files && el.files.length) { carries = true; }
    }
    form.enctype = carries ? "multipart/form-data" : "application/x-www-form-urlencoded";
  }

  document.addEventListener("submit", function (e) {
    var inputs = e.target.querySelectorAll ? e.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    for (var i = 0; i < inputs.length; i++) {
      if (!check(inputs[i])) { e.preventDefault(); return; }
    }
    encodeForFiles(e.target);
  }, true);
})();
