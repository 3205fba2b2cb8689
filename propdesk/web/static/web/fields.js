// A form's fields, in the console and the resident portal alike: the words of the browser's own
// check, and each field's length counted beside it.
//
// The words of the browser's own form check (GLOSSARY.md: every word a person reads is Chinese).
// Fields are marked data-required (and data-digits) in the markup, not required (nor pattern):
// without JavaScript the browser checks nothing and the server answers with its Chinese errors
// beside the fields, keeping what was typed. With it, the fields become required here and the
// browser's bubble says 「请填写此项」 (the words come from this script's data-* attributes,
// translated on the server) before anything is sent, so nothing typed is lost either way.
// Shared by the console and the resident portal; fields swapped in later (htmx) are armed too.
(function () {
  "use strict";
  var me = document.currentScript;
  var words = {
    missing: (me && me.dataset.missing) || "请填写此项。",
    choose: (me && me.dataset.choose) || "请选择一项。",
    digits: (me && me.dataset.digits) || "请只填写数字。",
    check: (me && me.dataset.check) || "请检查此项。"
  };

  function arm(root) {
    var fields = (root || document).querySelectorAll("[data-required]");
    Array.prototype.forEach.call(fields, function (el) { el.required = true; });
    var digits = (root || document).querySelectorAll("[data-digits]");
    Array.prototype.forEach.call(digits, function (el) { el.pattern = "[0-9]*"; });
  }

  function say(el) {
    var v = el.validity;
    if (!v || v.valid) { return ""; }
    if (v.valueMissing) {
      return el.dataset.missing || (el.tagName === "SELECT" || el.type === "radio" ||
        el.type === "checkbox" || el.type === "file" ? words.choose : words.missing);
    }
    if (v.patternMismatch && el.hasAttribute("data-digits")) { return words.digits; }
    return words.check;
  }

  // Capture: "invalid" does not bubble. The message is set before the browser shows its bubble.
  // A message another script set (its own check) is left as it is.
  var ours = "requiredMessage";
  document.addEventListener("invalid", function (e) {
    var el = e.target;
    if (!el || !el.setCustomValidity || !el.validity) { return; }
    if (el.validity.customError && el.validationMessage !== el.dataset[ours]) { return; }
    el.setCustomValidity("");
    var message = say(el);
    el.setCustomValidity(message);
    el.dataset[ours] = message;
  }, true);

  // A changed field is checked afresh (our message left in place would keep it invalid).
  function clear(e) {
    var el = e.target;
    if (el && el.setCustomValidity && el.dataset && el.dataset[ours] !== undefined) {
      if (el.validationMessage === el.dataset[ours]) { el.setCustomValidity(""); }
      delete el.dataset[ours];
    }
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);

  arm(document);
  document.addEventListener("htmx:afterSwap", function (e) { arm(e.target); });
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
