// The size of a chosen file, checked in the browser before anything is uploaded: a file input
// carries the server's limit (data-max-bytes) and the server's own message (data-too-large). A
// file over the limit is taken off the input at once, the message shown beside it, and the form
// cannot send it; the server checks again on its side.
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

  function check(input) {
    var limit = Number(input.dataset.maxBytes || 0);
    var tooLarge = false;
    if (limit && input.files) {
      for (var i = 0; i < input.files.length; i++) {
        if (input.files[i].size > limit) { tooLarge = true; }
      }
    }
    var box = input.parentNode.querySelector(".upload-error");
    if (tooLarge) {
      input.value = "";  // nothing too large leaves this page
      box = messageBox(input);
      box.textContent = input.dataset.tooLarge || "";
      input.setAttribute("aria-invalid", "true");
    } else if (box) {
      box.remove();
      input.removeAttribute("aria-invalid");
    }
    return !tooLarge;
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("input[type=file][data-max-bytes]")) { check(t); }
  });
  document.addEventListener("submit", function (e) {
    var inputs = e.target.querySelectorAll ? e.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    for (var i = 0; i < inputs.length; i++) {
      if (!check(inputs[i])) { e.preventDefault(); return; }
    }
  }, true);
})();
