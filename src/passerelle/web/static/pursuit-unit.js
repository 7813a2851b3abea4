// The unit page of a pursuit: send the phone's position every few seconds.
// Texts come translated from the page (data-* attributes); answers from the node
// carry their own translated message. No position is kept in the browser.
(function () {
  "use strict";
  var box = document.getElementById("pursuit-unit");
  var button = document.getElementById("pursuit-geo");
  var status = document.getElementById("pursuit-status");
  if (!box || !button || !status || !("geolocation" in navigator) || !window.fetch) return;
  var every = Math.max(2, parseInt(box.dataset.every || "5", 10)) * 1000;
  var timer = null;
  var busy = false;
  button.hidden = false;

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "alert alert-error" : "hint";
  }

  function send(pos) {
    var form = new FormData();
    form.append("lat", String(pos.coords.latitude));
    form.append("lon", String(pos.coords.longitude));
    form.append("accuracy_m", String(Math.round(pos.coords.accuracy || 0)));
    form.append("at", new Date(pos.timestamp || Date.now()).toISOString());
    form.append("source", "phone");
    return fetch(box.dataset.url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.json(); })
      .then(function (answer) { say(answer.message || "", !answer.ok); })
      .catch(function () { say(box.dataset.offline, true); });
  }

  function tick() {
    if (busy) return;
    busy = true;
    navigator.geolocation.getCurrentPosition(
      function (pos) { send(pos).then(function () { busy = false; }); },
      function () { busy = false; say(box.dataset.denied, true); stop(); },
      { enableHighAccuracy: true, maximumAge: 0, timeout: every }
    );
  }

  function start() {
    say(box.dataset.waiting, false);
    button.textContent = box.dataset.stop;
    button.setAttribute("aria-pressed", "true");
    tick();
    timer = window.setInterval(tick, every);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    button.textContent = box.dataset.start;
    button.setAttribute("aria-pressed", "false");
  }

  button.addEventListener("click", function () { if (timer === null) start(); else stop(); });
})();
