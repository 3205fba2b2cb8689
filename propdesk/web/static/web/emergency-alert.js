// Emergency alert and notification bell on every staff screen (issue 4): polls the open emergencies
// the signed-in staff member may see, shows a full-width red banner and sounds an alarm for a
// new one. The API scopes the list by community and role; this script only shows it.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var seen = {};
  var banner = null;
  var drawn = null;

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx();
      [0, 0.35, 0.7].forEach(function (t) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(ctx.currentTime + t);
        osc.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* a browser without sound still shows the banner */ }
  }

  function render(list) {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "emergency-alert";
      banner.setAttribute("role", "alert");
      document.body.insertBefore(banner, document.body.firstChild);
    }
    // Redrawn only when something changed: a line replaced under a finger loses the tap.
    var key = JSON.stringify(list.map(function (e) {
      return [e.id, e.may_open, e.kind_title, e.location, e.order_number, e.reported_at];
    }));
    if (key === drawn) { return; }
    drawn = key;
    if (!list.length) { banner.style.display = "none"; banner.textContent = ""; return; }
    banner.style.display = "block";
    banner.textContent = "";
    list.forEach(function (e) {
      // A line is a link to the emergency's page for whoever may open it (called to it, the
      // office, leadership); a team member who was not called is told, not sent to a 403.
      var line = document.createElement(e.may_open ? "a" : "div");
      line.className = "emergency-alert-line";
      line.dataset.emergency = e.id;
      if (e.may_open) { line.href = "/desk/emergencies/" + e.id + "/"; }
      line.textContent = "⚠ " + (e.kind_title || e.kind) + " · " + (e.location || "") +
        " · " + (e.order_number || "") + " · " + new Date(e.reported_at).toLocaleTimeString();
      banner.appendChild(line);
    });
  }

  function poll() {
    fetch("/api/emergencies/?open=1", {credentials: "same-origin",
                                       headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {results: []}; })
      .then(function (body) {
        var list = body.results || [];
        var fresh = list.some(function (e) { return !seen[e.id]; });
        list.forEach(function (e) { seen[e.id] = true; });
        render(list);
        if (fresh) { beep(); }
      })
      .catch(function () { /* offline for a moment: try again on the next poll */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  // The bell: how many of my notifications are unread, beside my name; a click opens the list.
  var bell = null;
  function pollBell() {
    fetch("/api/notifications/?unread=1&page_size=1", {credentials: "same-origin",
                                                       headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        if (!bell) {
          var tools = document.getElementById("user-tools") || document.getElementById("header");
          if (!tools) { return; }
          bell = document.createElement("a");
          bell.id = "notification-bell";
          bell.href = "/desk/notifications/";
          bell.style.marginLeft = "8px";
          tools.insertBefore(bell, tools.firstChild);
        }
        bell.textContent = "🔔 " + body.unread;
        bell.title = body.unread + " unread";
      })
      .catch(function () {})
      .then(function () { window.setTimeout(pollBell, POLL_MS * 2); });
  }

  function start() { poll(); pollBell(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
