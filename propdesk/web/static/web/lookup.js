// The front desk's household lookup (FD-2): a match in the panel is a button; choosing it (a
// click, or the down arrow then Enter) fills 房号, 报事人 and 电话 with what the form takes back
// unchanged, then shows that household's open orders. Arrow keys move through the matches,
// Escape goes back to the field typed in. A whole number that names exactly one household fills
// 房号 and 报事人 at once (the panel's data-fill-*): only fields left empty or holding what was
// filled that way, so what the staff typed or changed stays; several matches fill nothing until
// one is chosen; a number cleared or changed takes back what it filled. Without JavaScript the
// form still takes what is typed.
(function () {
  "use strict";
  var lastField = null;
  var FILLED = [["id_room", "fillRoom"], ["id_caller_name", "fillName"]];

  function autofill(panel) {
    var lookup = panel.querySelector(".lookup");
    if (!lookup || lookup.dataset.how !== "phone") { return; }  // a room's lookup fills nothing
    FILLED.forEach(function (pair) {
      var el = document.getElementById(pair[0]);
      if (!el) { return; }
      var mine = el.dataset.autofilled !== undefined && el.value === el.dataset.autofilled;
      if (el.value !== "" && !mine) { return; }  // typed or changed by the staff: theirs
      var value = lookup.dataset[pair[1]];
      if (value === undefined) { value = ""; }  // no single household any more: take ours back
      el.value = value;
      if (value) { el.dataset.autofilled = value; } else { delete el.dataset.autofilled; }
    });
  }

  // The number edited: what it filled is taken back at once, before the next lookup answers, so
  // a room typed meanwhile is typed into an empty field (the lookup fills again if the number
  // still names one household).
  document.addEventListener("input", function (e) {
    if (!e.target || e.target.id !== "id_caller_phone") { return; }
    FILLED.forEach(function (pair) {
      var el = document.getElementById(pair[0]);
      if (el && el.dataset.autofilled !== undefined && el.value === el.dataset.autofilled) {
        el.value = "";
        delete el.dataset.autofilled;
      }
    });
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "household-panel") { autofill(e.target); }
  });

  function matches() {
    return Array.prototype.slice.call(document.querySelectorAll("#household-panel .lookup-match"));
  }

  function fill(button) {
    var set = function (id, value) {
      var el = document.getElementById(id);
      if (el && value) { el.value = value; delete el.dataset.autofilled; }
    };
    set("id_room", button.dataset.room);
    set("id_caller_name", button.dataset.name);
    set("id_caller_phone", button.dataset.phone);
    var panel = document.getElementById("household-panel");
    if (window.htmx && panel && panel.dataset.lookupUrl) {
      window.htmx.ajax("GET", panel.dataset.lookupUrl + "?household=" + encodeURIComponent(button.dataset.household),
        {target: "#household-panel"});
    }
    var next = document.querySelector("#intake-form input[name=intent]:checked") ||
      document.querySelector("#intake-form input[name=intent]");
    if (next) { next.focus(); }
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#household-panel .lookup-match");
    if (button) { e.preventDefault(); fill(button); }
  });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (t.hasAttribute && t.hasAttribute("data-lookup") && e.key === "ArrowDown") {
      var first = matches()[0];
      if (first) { e.preventDefault(); lastField = t; first.focus(); }
      return;
    }
    if (t.classList && t.classList.contains("lookup-match")) {
      var all = matches(), i = all.indexOf(t);
      if (e.key === "ArrowDown" && i < all.length - 1) { e.preventDefault(); all[i + 1].focus(); }
      else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (i > 0) { all[i - 1].focus(); } else if (lastField) { lastField.focus(); }
      } else if (e.key === "Escape" && lastField) { e.preventDefault(); lastField.focus(); }
    }
  });
})();

// The intake's 服务项目 follows its 诉求类别: only the items of the kind chosen (each option's
// data-kind: repair or housekeeping) can be picked; choosing another kind clears an item of the
// old one. Drawn again after a failed submit, what was chosen stays chosen (the error beside it).
(function () {
  "use strict";
  function follow(clear) {
    var select = document.querySelector("#intake-form select[name=service_item]");
    if (!select) { return; }
    var intent = document.querySelector("#intake-form input[name=intent]:checked");
    var kind = intent ? intent.value : "";
    Array.prototype.forEach.call(select.options, function (opt) {
      if (!opt.dataset.kind) { return; }
      var other = kind !== "" && opt.dataset.kind !== kind;
      opt.disabled = other;
      opt.hidden = other;
      if (other && opt.selected && clear) { select.value = ""; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { follow(false); });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "intent") { follow(true); }
  });
})();
