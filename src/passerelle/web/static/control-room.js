// The control-room page, live. Server-sent events (/control-room/stream) tell which panel
// changed; the panel is fetched again, rendered by the node in the page's language. A
// partner's notification shows its banner and beeps (Web Audio API: no sound file).
// Without JavaScript the page still lists everything and the acknowledge forms still work.
(function () {
  "use strict";
  var root = document.getElementById("control-room");
  if (!root || !window.EventSource || !window.fetch) return;
  var TOPIC_PANELS = {
    "ops.notifications": "notifications",
    "ops.pursuits": "pursuits",
    "ops.patrols": "patrols",
    "ops.actions": "actions",
    "anpr.hits": "anpr"
  };
  var DELAY_MS = { notifications: 0, pursuits: 150, patrols: 250, actions: 400, anpr: 400 };
  var statusEl = document.getElementById("cr-status");
  var soundButton = document.getElementById("cr-sound");
  var audio = null;
  var beeps = 0;
  var timers = {};
  var busy = {};

  function audioContext() {
    if (!audio) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      audio = new Ctx();
    }
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  function beep() {
    beeps += 1;
    document.body.setAttribute("data-beeps", String(beeps));
    try {
      var ac = audioContext();
      if (!ac) return;
      var start = ac.currentTime + 0.01;
      [0, 0.22, 0.44].forEach(function (offset, i) {
        var osc = ac.createOscillator();
        var gain = ac.createGain();
        osc.type = "square";
        osc.frequency.value = i === 1 ? 660 : 880;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
        osc.connect(gain);
        gain.connect(ac.destination);
        osc.start(start + offset);
        osc.stop(start + offset + 0.2);
      });
    } catch (e) {
      // no sound on this device: the banner stays until acknowledged
    }
  }

  function setStatus(live) {
    root.setAttribute("data-live", live ? "1" : "0");
    if (!statusEl) return;
    statusEl.textContent = statusEl.getAttribute(live ? "data-text-live" : "data-text-offline");
    statusEl.classList.toggle("cr-status-live", live);
  }

  function replace(name, html) {
    var current = document.getElementById("cr-" + name);
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector("#cr-" + name);
    if (current && fresh) current.replaceWith(fresh);
  }

  function refresh(name) {
    if (busy[name]) {
      busy[name] = "again";
      return;
    }
    busy[name] = true;
    fetch(root.getAttribute("data-panels") + name, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin"
    })
      .then(function (r) {
        if (r.status === 401) window.location.assign("/login?next=/control-room");
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html) replace(name, html);
      })
      .catch(function () {})
      .then(function () {
        var again = busy[name] === "again";
        busy[name] = false;
        if (again) refresh(name);
      });
  }

  function schedule(name) {
    if (timers[name]) return;
    timers[name] = window.setTimeout(function () {
      timers[name] = null;
      refresh(name);
    }, DELAY_MS[name] || 0);
  }

  function connect() {
    var source = new EventSource(root.getAttribute("data-stream"));
    source.onopen = function () {
      setStatus(true);
      Object.keys(DELAY_MS).forEach(schedule); // what changed before (re)connecting
    };
    source.onerror = function () {
      setStatus(false); // EventSource reconnects by itself, with Last-Event-ID
    };
    Object.keys(TOPIC_PANELS).forEach(function (topic) {
      source.addEventListener(topic, function (ev) {
        var data = {};
        try {
          data = JSON.parse(ev.data);
        } catch (e) {
          data = {};
        }
        // an alarm only for what must be acknowledged (a partner's pursuit entering, or
        // its escalation); "left" and "ended" are information: the panel just updates
        if (topic === "ops.notifications" && data.requires_ack && !data.acknowledged) beep();
        schedule(TOPIC_PANELS[topic]);
      });
    });
  }

  // Acknowledge without leaving the page (the form posts normally without JavaScript).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("cr-ack")) return;
    ev.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    })
      .then(function (r) {
        return r.text();
      })
      .then(function (html) {
        replace("notifications", html);
      })
      .catch(function () {
        if (button) button.disabled = false;
      });
  });

  if (soundButton) {
    soundButton.hidden = false;
    soundButton.addEventListener("click", function () {
      // Browsers allow sound only after a click on the page: this is that click.
      var on = !!audioContext();
      soundButton.setAttribute("aria-pressed", on ? "true" : "false");
      soundButton.textContent = soundButton.getAttribute(on ? "data-text-on" : "data-text-off");
    });
  }
  connect();
})();
