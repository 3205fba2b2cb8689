// One poller per staff page (issue 10): GET /desk/live/?c=<cursor>&n=<notification id> every 2 s
// while the page is visible, every 30 s while it is hidden. The answer drives
//  - the bell (#notification-bell): my unread notifications;
//  - the banner (#emergency-alert): the open emergencies of my communities, and alerts (unread
//    notifications of the alert kinds, e.g. an emergency call, FD-4) with an alarm sound. The
//    poll names the emergencies its alerts are about (e=); the answer's "over" says which are
//    handled (处置完毕), and their alerts leave the banner of every tab that held them;
//  - the page's live regions: on a change, "live:changed" is dispatched on document.body, and
//    every element with hx-trigger="live:changed from:body" fetches its fragment (htmx). Rows
//    (data-live-id) that were not there before the swap get the class "live-new", which fades.
//    A slow refresh spaces the next one (ten times its time, at most 30 s): a busy server is
//    asked for fewer fragments, the poll keeps its pace.
//  - calls (FD-1): a page with a [data-live-calls] region also sends r=<call cursor>; when the
//    newest call event moved, "live:calls" is dispatched (the ringing banner, the call-backs).
// The server scopes everything; this script only shows it. Without it a reload shows the truth.
(function () {
  "use strict";
  var me = document.currentScript;
  var cfg = me ? me.dataset : {};
  var URL = cfg.url || "/desk/live/";
  var VISIBLE_MS = 2000, CALLS_VISIBLE_MS = 1000, HIDDEN_MS = 30000, MAX_BACKOFF_MS = 60000;
  var N_KEY = "propdesk-live-n", ALERTS_KEY = "propdesk-live-alerts", SOUND_KEY = "propdesk-live-sound";

  var state = {c: null, n: null, r: null, pageC: null, first: true, failures: 0};
  var timer = null, inFlight = false;
  var seenEmergencies = {}, emergencies = [], alerts = [];

  function store(key, value) { try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) {} }
  function load(key) { try { return JSON.parse(window.sessionStorage.getItem(key)); } catch (e) { return null; } }
  function soundOn() { try { return window.localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; } }

  // --- sound ------------------------------------------------------------------------------------
  // One AudioContext, made only once the person has touched the page (a click, a key): the
  // browser would not let one made before start ("AudioContext was not allowed to start"), so a
  // page that has not been touched yet stays silent and only shows the banner.
  var audio = null, touched = false;
  function markTouched() { touched = true; }
  document.addEventListener("pointerdown", markTouched, true);
  document.addEventListener("keydown", markTouched, true);
  function audioContext() {
    if (audio) { return audio; }
    var ua = navigator.userActivation;
    if (!(ua ? ua.hasBeenActive : touched)) { return null; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    audio = new Ctx();
    return audio;
  }
  function tone(times, freq, type) {
    try {
      var ctx = audioContext();
      if (!ctx) { return; }
      if (ctx.state === "suspended" && ctx.resume) { ctx.resume(); }
      times.forEach(function (t) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.type = type;
        osc.frequency.value = freq;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(ctx.currentTime + t);
        osc.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* a browser without sound still shows the banner */ }
  }
  function alarm() { tone([0, 0.35, 0.7], 880, "square"); }  // emergencies and alerts: always
  function chime() { if (soundOn()) { tone([0], 660, "sine"); } }  // a new row: only if chosen

  // --- banner -----------------------------------------------------------------------------------
  var banner = null, bannerSaid = null;
  function renderBanner() {
    if (!banner) {
      banner = document.getElementById("emergency-alert");
      if (!banner) {
        banner = document.createElement("div");
        banner.id = "emergency-alert";
        banner.setAttribute("role", "alert");
        document.body.insertBefore(banner, document.body.firstChild);
      }
    }
    var shownEmergencies = {};
    emergencies.forEach(function (e) { shownEmergencies[e.id] = true; });
    // An emergency call to me is already on the banner as its emergency: one line, not two.
    var lines = alerts.filter(function (a) { return !(a.emergency && shownEmergencies[a.emergency]); });
    // Rebuild only when what it says changed: a poll that brings the same lines leaves the
    // links in place, so a tap that lands while the banner refreshes still opens the page.
    var said = JSON.stringify([emergencies, lines]);
    if (said === bannerSaid) { return; }
    bannerSaid = said;
    banner.textContent = "";
    if (!emergencies.length && !lines.length) { banner.style.display = "none"; return; }
    banner.style.display = "block";
    emergencies.forEach(function (e) {
      // A link to the emergency's page for whoever may open it (called to it, the office,
      // leadership); a team member who was not called is told, not sent to a 403.
      var line = document.createElement(e.url ? "a" : "div");
      line.className = "emergency-alert-line";
      if (e.url) { line.href = e.url; }
      line.dataset.emergency = e.id;
      line.textContent = "⚠ " + (e.kind_title || e.kind) + " · " + (e.location || "") +
        " · " + (e.order_number || "") + " · " + clockTime(e.reported_at, e.time_zone);
      banner.appendChild(line);
    });
    // Alerts that call to no emergency (FD-4's agitated visitor, say) pile up until dismissed:
    // the newest is shown whole, the others fold into one line that opens to show them (four took
    // a third of a phone's screen, above every page, while they waited).
    var loose = lines.filter(function (a) { return !a.emergency; });
    var folded = loose.length > 1 ? loose.slice(1) : [];
    lines.filter(function (a) { return folded.indexOf(a) < 0; }).forEach(function (a) {
      banner.appendChild(alertRow(a));
    });
    if (folded.length) {
      var more = document.createElement("details");
      more.className = "live-more";
      more.open = foldedOpen;
      more.addEventListener("toggle", function () { foldedOpen = more.open; });
      var summary = document.createElement("summary");
      summary.textContent = (cfg.moreAlerts || "+{n}").replace("{n}", folded.length);
      more.appendChild(summary);
      folded.forEach(function (a) { more.appendChild(alertRow(a)); });
      banner.appendChild(more);
    }
  }
  var foldedOpen = false;
  function alertRow(a) {
    var row = document.createElement("div");
    row.className = "emergency-alert-line live-alert";
    var link = document.createElement("a");
    link.href = a.url;
    link.dataset.notification = a.id;
    link.textContent = "⚠ " + a.title;
    link.addEventListener("click", function () { dismiss(a.id); });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "live-dismiss";
    close.textContent = "×";
    close.title = close.ariaLabel = cfg.dismiss || "×";
    close.addEventListener("click", function () { dismiss(a.id); renderBanner(); });
    row.appendChild(link);
    row.appendChild(close);
    return row;
  }
  // A time as the community reads it (HH:MM:SS in its time zone), never the device's zone: an
  // office PC set to UTC showed 12:12:32 for a fire reported at 20:12:32. The server writes the
  // time in the community's zone; without Intl's zones, its own digits are read.
  function clockTime(iso, zone) {
    try {
      return new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
      }).format(new Date(iso));
    } catch (err) {
      var m = /T(\d\d:\d\d:\d\d)/.exec(iso || "");
      return m ? m[1] : "";
    }
  }
  function dismiss(id) {
    alerts = alerts.filter(function (a) { return a.id !== id; });
    store(ALERTS_KEY, alerts);
  }
  // The emergencies the banner's alerts call to (asked about at each poll), at most 10.
  function alertEmergencies() {
    var out = [];
    alerts.forEach(function (a) {
      if (a.emergency && out.indexOf(a.emergency) < 0) { out.push(a.emergency); }
    });
    return out.slice(0, 10);
  }

  // --- bell -------------------------------------------------------------------------------------
  // The console's pages draw the bell with its count (base.html: notification_bell); here it
  // follows the poll. A page without one (the back office) gets it drawn here.
  var bell = null;
  function renderBell(unread) {
    if (!bell) {
      bell = document.getElementById("notification-bell");
      if (!bell) {
        var tools = document.getElementById("user-tools") || document.getElementById("header");
        if (!tools) { return; }
        bell = document.createElement("a");
        bell.id = "notification-bell";
        bell.href = cfg.bell || "/desk/notifications/";
        tools.insertBefore(bell, tools.firstChild);
      }
      // Drawn, not a character: an office PC without an emoji font showed U+1F514 as a box.
      if (!bell.querySelector(".bell-count")) {
        bell.innerHTML = '<svg class="bell-icon" viewBox="0 0 24 24" width="16" height="16" ' +
          'aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" ' +
          'stroke-linecap="round" stroke-linejoin="round"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 ' +
          '9h18s-3-2-3-9"/><path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg><span class="bell-count"></span>';
      }
    }
    bell.querySelector(".bell-count").textContent = String(unread);
    var label = cfg.unread || "";
    bell.title = label + (/:$/.test(label) ? " " : "") + unread;  // "未读通知：3", "…: 3"
    bell.setAttribute("aria-label", bell.title);
  }

  // --- live regions -----------------------------------------------------------------------------
  // The ids of the rows a region holds before its swap, to mark the new ones after it.
  function ids(el) {
    var out = {};
    el.querySelectorAll("[data-live-id]").forEach(function (r) { out[r.dataset.liveId] = true; });
    return out;
  }
  function byLive(evt) {  // this swap answers "live:changed" (not a filter, not the timer)
    var rc = evt.detail.requestConfig;
    return !!(rc && rc.triggeringEvent && rc.triggeringEvent.type === "live:changed");
  }
  function busy(el) {
    // Someone is choosing or typing in a form of the region: swap after they leave it.
    var a = document.activeElement;
    return a && a !== document.body && el.contains(a) && a.closest("form") !== null;
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!byLive(evt)) { return; }
    if (busy(target)) {
      evt.detail.shouldSwap = false;
      target.dataset.liveStale = "1";
      return;
    }
    target._liveBefore = ids(target);
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    var before = target && target._liveBefore;
    if (!before) { return; }
    target._liveBefore = null;
    var fresh = false;
    target.querySelectorAll("[data-live-id]").forEach(function (r) {
      if (!before[r.dataset.liveId]) {
        r.classList.add("live-new");
        fresh = true;
        r.addEventListener("animationend", function () { r.classList.remove("live-new"); }, {once: true});
      }
    });
    if (fresh) { chime(); }
  });
  // A change refreshes every live region at once. When those fetches get slow (a busy server:
  // many open pages and a stream of changes) the next refresh waits REGION_FACTOR times as long
  // as the last one took, at most MAX_REGION_GAP_MS, and then shows every change since: the
  // pages back off as the server fills up instead of asking it for more than it can draw. The
  // poll (the bell, alerts, emergencies) keeps its pace. A fast region (under 200 ms) waits
  // less than the poll's own 2 s, so nothing changes on a server with room to spare.
  var REGION_FACTOR = 10, MAX_REGION_GAP_MS = 30000;
  var region = {ms: 0, at: 0, timer: null};
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (byLive(evt)) { evt.detail.requestConfig.elt._liveStarted = Date.now(); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = byLive(evt) && evt.detail.requestConfig.elt;
    if (elt && elt._liveStarted) {
      region.ms = Date.now() - elt._liveStarted;
      elt._liveStarted = null;
    }
  });
  function refreshRegions(detail) {
    var wait = region.at + Math.min(REGION_FACTOR * region.ms, MAX_REGION_GAP_MS) - Date.now();
    if (wait > 0) {
      if (!region.timer) {
        region.timer = window.setTimeout(function () { region.timer = null; refreshRegions(detail); }, wait);
      }
      return;
    }
    region.at = Date.now();
    document.body.dispatchEvent(new CustomEvent("live:changed", {detail: detail}));
  }
  document.addEventListener("focusout", function () {
    window.setTimeout(function () {
      var again = false;
      document.querySelectorAll("[data-live-stale]").forEach(function (el) {
        if (!busy(el)) { delete el.dataset.liveStale; again = true; }
      });
      if (again) { document.body.dispatchEvent(new CustomEvent("live:changed")); }
    }, 0);
  });

  // --- the poll ---------------------------------------------------------------------------------
  function delay() {
    // A page that shows ringing calls polls every second while visible: the caller's household
    // must be on screen within 2 s of the ring (bench/RESULTS.md, calls).
    var visible = state.r !== null ? CALLS_VISIBLE_MS : VISIBLE_MS;
    var base = document.visibilityState === "hidden" ? HIDDEN_MS : visible;
    return Math.min(base * Math.pow(2, state.failures), MAX_BACKOFF_MS);
  }
  function schedule(ms) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(poll, ms);
  }
  function answered(a) {
    var changed = state.first ? (state.pageC !== null && a.c !== state.pageC) : a.changed;
    state.first = false;
    state.c = a.c;
    state.n = a.n;
    store(N_KEY, a.n);
    renderBell(a.unread);
    if (a.emergencies) {
      var fresh = a.emergencies.some(function (e) { return !seenEmergencies[e.id]; });
      a.emergencies.forEach(function (e) { seenEmergencies[e.id] = true; });
      emergencies = a.emergencies;
      if (fresh) { alarm(); }
    }
    if (a.over && a.over.length) {
      // Handled: the alarm stops here too (the notification stays in the list).
      alerts = alerts.filter(function (x) { return !(x.emergency && a.over.indexOf(x.emergency) >= 0); });
      store(ALERTS_KEY, alerts);
    }
    if (a.alerts && a.alerts.length) {
      var known = {};
      alerts.forEach(function (x) { known[x.id] = true; });
      var added = a.alerts.filter(function (x) { return !known[x.id]; });
      alerts = added.concat(alerts).slice(0, 10);
      store(ALERTS_KEY, alerts);
      if (added.length) { alarm(); }
    }
    renderBanner();
    if (typeof a.r === "number") {
      if (state.r !== null && a.r !== state.r) {
        document.body.dispatchEvent(new CustomEvent("live:calls", {detail: a}));
      }
      state.r = a.r;
    }
    if (changed) { refreshRegions(a); }
  }
  function poll() {
    if (inFlight) { return; }
    inFlight = true;
    var q = [];
    if (state.c !== null) { q.push("c=" + state.c); }
    if (state.n !== null) { q.push("n=" + state.n); }
    if (state.r !== null) { q.push("r=" + state.r); }
    var asked = alertEmergencies();
    if (asked.length) { q.push("e=" + asked.join(",")); }
    fetch(URL + (q.length ? "?" + q.join("&") : ""), {
      credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"
    })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (a) { state.failures = 0; answered(a); })
      .catch(function () { state.failures = Math.min(state.failures + 1, 5); })
      .then(function () { inFlight = false; schedule(delay()); });
  }

  function start() {
    // The cursor the page's rows were read at (the live regions say it), so that a change
    // between the page's rendering and the first poll still refreshes them.
    document.querySelectorAll("[data-live-c]").forEach(function (el) {
      var v = parseInt(el.dataset.liveC, 10);
      if (!isNaN(v) && (state.pageC === null || v < state.pageC)) { state.pageC = v; }
    });
    // The call cursor the page's call regions were read at: asked only where they are.
    document.querySelectorAll("[data-live-calls]").forEach(function (el) {
      var v = parseInt(el.dataset.liveCalls, 10);
      if (!isNaN(v) && (state.r === null || v < state.r)) { state.r = v; }
    });
    // The notification id this tab saw last: an alert rings once per tab, not on every page.
    var n = load(N_KEY);
    state.n = typeof n === "number" ? n : null;
    alerts = load(ALERTS_KEY) || [];
    renderBanner();
    var sound = document.getElementById("live-sound");
    if (sound) {
      var label = function () {
        sound.textContent = soundOn() ? (cfg.soundOn || "♪") : (cfg.soundOff || "♪");
        sound.setAttribute("aria-pressed", soundOn() ? "true" : "false");
      };
      sound.hidden = false;
      label();
      sound.addEventListener("click", function () {
        try { window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on"); } catch (e) {}
        label();
        if (soundOn()) { chime(); }
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { schedule(0); }
    });
    poll();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
