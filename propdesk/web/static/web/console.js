// The console's small behaviours: clocks that count down between the board's refreshes, and
// keyboard shortcuts for the front desk. Everything works without it; it only makes it livelier.
(function () {
  "use strict";

  // --- countdowns -------------------------------------------------------------------------------
  // A clock is <span class="clock" data-due="ISO" data-warn="ISO">; its container says the
  // server's time when it was drawn (data-now), so the count follows the server's clock (which
  // may be a test's fake clock), not the browser's.
  // The words come from the page (<body data-countdown-…>, the reader's language): 2天3小时,
  // 3小时05分, and 超时 before an overdue time; 7分04秒 below an hour.
  function words(name, fallback) {
    return (document.body && document.body.dataset[name]) || fallback;
  }
  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (all, key) { return String(values[key]); });
  }
  function fmt(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    if (d > 0) { return fill(words("countdownDays", "%(d)sd %(h)sh"), { d: d, h: h }); }
    if (h > 0) { return fill(words("countdownHours", "%(h)sh %(m)sm"), { h: h, m: (m < 10 ? "0" : "") + m }); }
    return fill(words("countdownMinutes", "%(m)s:%(s)s"), { m: m, s: (sec < 10 ? "0" : "") + sec });
  }

  // When each box arrived (the browser's time), once: a box htmx brought in is new and stamped
  // then; one that was already there keeps its stamp. Stamping every box of the swap's parent
  // again set the clocks beside a refreshed region (the responder's own 5分钟内到场 chip by the
  // 已到场 button, drawn once with the page) back to the page's time at every refresh.
  function stamp(root) {
    root.querySelectorAll("[data-now]").forEach(function (el) {
      if (!el.dataset.loaded || el.dataset.stampedNow !== el.dataset.now) {
        el.dataset.loaded = String(Date.now());
        el.dataset.stampedNow = el.dataset.now;
      }
    });
  }

  function tick() {
    document.querySelectorAll("[data-now]").forEach(function (box) {
      var serverNow = Date.parse(box.dataset.now) + (Date.now() - Number(box.dataset.loaded || Date.now()));
      box.querySelectorAll(".clock[data-due]").forEach(function (c) {
        var left = (Date.parse(c.dataset.due) - serverNow) / 1000;
        var warn = c.dataset.warn ? Date.parse(c.dataset.warn) : null;
        var label = c.dataset.label || "";
        var red = left <= 0 || c.dataset.state === "breached";
        var amber = !red && warn !== null && serverNow >= warn;
        c.classList.toggle("red", red);
        c.classList.toggle("amber", amber);
        var t = c.querySelector(".t");
        if (t) { t.textContent = left <= 0 ? fill(words("countdownOver", "+%(left)s"), { left: fmt(left) }) : fmt(left); }
        c.title = label;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { stamp(document); tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", function (e) { stamp(e.target.parentNode || document); tick(); });
  // A timed refresh (htmx's "every", which has no triggering event) of an element marked
  // data-poll-when-visible waits while the tab is hidden. Here, not as an hx-trigger filter
  // ([…]): htmx compiles those with Function(), which the Content-Security-Policy forbids.
  document.addEventListener("htmx:confirm", function (e) {
    var d = e.detail;
    if (!d.triggeringEvent && d.elt && d.elt.hasAttribute("data-poll-when-visible")
        && document.visibilityState !== "visible") e.preventDefault();
  });

  // --- a due time that follows the item ---------------------------------------------------------
  // The cart's <select data-sets-due="due_at"> whose options carry data-due (now plus the item's
  // usual loan, in the community's time): choosing an umbrella proposes its 24 hours in the
  // form's due field, a trolley its 2. A due time the desk typed (data-typed) is left alone.
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (el.form && el.form.querySelector("select[data-sets-due='" + el.name + "']")) {
      el.dataset.typed = "1";
    }
  });
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("select[data-sets-due]") || !sel.form) { return; }
    var due = sel.form.elements[sel.dataset.setsDue];
    var option = sel.options[sel.selectedIndex];
    if (due && option && option.dataset.due && !due.dataset.typed) { due.value = option.dataset.due; }
  });

  // --- the menu ---------------------------------------------------------------------------------
  // base.html's <details id="menu">: a wide screen shows its links through ::details-content
  // (console.css). A browser without it gets the menu opened here while the screen is wide, and
  // the 菜单 line hidden (class "wide"); a narrow screen keeps the 菜单 button.
  function menuFallback() {
    var menu = document.getElementById("menu");
    if (!menu || !window.matchMedia) { return; }
    try { if (CSS.supports("selector(::details-content)")) { return; } } catch (e) { /* old */ }
    var wide = window.matchMedia("(min-width: 761px)");
    function fit() {
      menu.open = wide.matches;
      menu.classList.toggle("wide", wide.matches);
    }
    fit();
    if (wide.addEventListener) { wide.addEventListener("change", fit); }
  }
  document.addEventListener("DOMContentLoaded", menuFallback);

  // --- the user menu ----------------------------------------------------------------------------
  // base.html's <details id="user-menu"> (the language and 退出登录) opens and closes without
  // this; here it also closes as a menu does: on Escape (the focus back on the name) and on a
  // click elsewhere. On a phone, opening it closes the screens' menu and the other way round, so
  // that one panel hangs under the bar at a time.
  function userMenu() {
    ["user-menu", "community-menu"].forEach(function (id) { dropDown(document.getElementById(id)); });
  }
  // The same for the community's name, which opens the user's other communities.
  function dropDown(user) {
    if (!user) { return; }
    var menu = document.getElementById("menu");
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
    document.addEventListener("click", function (e) {
      if (user.open && !user.contains(e.target)) { user.open = false; }
    });
    user.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && user.open) {
        user.open = false;
        user.querySelector("summary").focus();
      }
    });
    user.addEventListener("toggle", function () {
      if (user.open && menu && menu.open && narrow && narrow.matches) { menu.open = false; }
    });
  }
  document.addEventListener("DOMContentLoaded", userMenu);

  // --- keyboard ---------------------------------------------------------------------------------
  // Ctrl+Enter (or Cmd+Enter) submits the form the cursor is in; Alt+<key> jumps to the field or
  // choice whose data-key is that key (shown on screen as <kbd>).
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      var form = e.target && e.target.form;
      if (form) {
        e.preventDefault();
        if (!form.hasAttribute("data-submitting")) { form.requestSubmit(); }
      }
      return;
    }
    if (e.altKey && !e.ctrlKey && e.key && e.key.length === 1) {
      var el = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
      if (el) {
        e.preventDefault();
        el.focus();
        if (el.type === "radio" || el.type === "checkbox") { el.click(); }
      }
    }
  });
})();

// The order's action bar (issue 10): a failed action's error is brought into view (the page
// comes back from the server at its top), and a destructive action asks first (data-confirm).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var bad = document.querySelector("#action-error, .action-bar [aria-invalid='true']");
    if (bad) { bad.scrollIntoView({block: "center"}); return; }
    // A form that came back with errors (the intake, an emergency …): the cursor goes to the
    // first field in error, not to the form's first field (autofocus), so that a person at the
    // keyboard corrects it and presses Ctrl+Enter again without hunting for it.
    var box = document.querySelector("form .field-error");
    if (!box || (document.activeElement && box.contains(document.activeElement))) { return; }
    var target = box.querySelector("input[type=radio]:checked:not([disabled])") ||
      box.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
    if (target) { target.focus(); }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  }, true);
})();

// On a phone a table is a stack of cards (console.css): each cell of a table with a header row
// carries its column's name (data-label, shown before the value), unless the template labelled
// the cells itself. Run again when htmx brings new rows.
(function () {
  "use strict";
  // A cell of running text (an owner's words, a reply, a note) may wrap on a wide screen, where
  // the short ones (numbers, names, states) keep to one line (console.css): kept on one line,
  // a suggestion of a few sentences pushed the reply box off the screen.
  var LONG = 24;
  function lengthOf(td) {
    var text = "";
    td.childNodes.forEach(function (n) {
      if (n.nodeType === 3) { text += n.textContent; }
      else if (n.nodeType === 1 && !n.matches("form, select, button, input, textarea")) { text += n.textContent; }
    });
    return text.trim().length;
  }
  function label(root) {
    root.querySelectorAll("table.list > tbody > tr > td").forEach(function (td) {
      if (lengthOf(td) > LONG) { td.classList.add("long"); }
    });
    root.querySelectorAll("table.list").forEach(function (table) {
      var heads = table.querySelectorAll(":scope > thead th");
      if (!heads.length || table.querySelector("td[data-label]")) { return; }
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll(":scope > tbody > tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (names[i] && td.tagName === "TD" && !td.hasAttribute("colspan")) { td.dataset.label = names[i]; }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function () { label(document); });
})();

// A form is sent once: from its submit until the next page its buttons are disabled, and a
// second submit (a double click, Ctrl+Enter twice) is dropped. The server refuses a second one
// of the same form too (its one-time token, core.once); this only spares the round trip. The
// buttons are disabled after the submit has taken the clicked button's name and value; a page
// brought back by the browser's Back button (or left in place by a download, after 20 s) has
// them enabled again.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || form.tagName !== "FORM" || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-submitting")) { e.preventDefault(); return; }
    if (e.defaultPrevented) { return; }  // stopped (a question, a check, htmx): not sent
    form.setAttribute("data-submitting", "");
    form.setAttribute("aria-busy", "true");
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        if (!b.disabled) { b.disabled = true; b.setAttribute("data-once-disabled", ""); }
      });
    }, 0);
    // A form whose answer is a download leaves the page as it is: usable again after a while.
    setTimeout(function () { release(form); }, 20000);
  });
  function release(form) {
    form.removeAttribute("data-submitting");
    form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-once-disabled]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-once-disabled");
    });
  }
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { document.querySelectorAll("form[data-submitting]").forEach(release); }
  });
})();

// A field's error goes away once the field is filled in again (the server checks it anew on the
// next submit): the red mark and the words under it, as soon as something is typed or chosen.
(function () {
  "use strict";
  function clear(e) {
    var el = e.target;
    if (!el || !el.closest || !el.value) { return; }
    var box = el.closest(".field-error");
    if (!box) { return; }
    box.classList.remove("field-error");
    box.querySelectorAll(".errorlist").forEach(function (ul) { ul.remove(); });
    el.removeAttribute("aria-invalid");
  }
  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
