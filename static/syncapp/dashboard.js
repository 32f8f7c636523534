/* The dashboard's current cycle, refreshed every few seconds from the admin's JSON endpoint: no reload. */
(function () {
  "use strict";
  var panel = document.getElementById("sync-cycle");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-poll-url");
  var every = 1000 * (parseInt(panel.getAttribute("data-poll-seconds"), 10) || 5);

  function poll() {
    if (document.hidden) { return window.setTimeout(poll, every); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual" })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        // Logged out or no longer allowed: stop asking rather than poll a login page forever.
        if (!response.ok || !json) { throw new Error("stop"); }
        return response.json();
      })
      .then(function (data) {
        panel.innerHTML = data.html;
        panel.setAttribute("data-running", data.run || "");
        window.setTimeout(poll, every);
      })
      .catch(function (error) {
        if (error.message !== "stop") { window.setTimeout(poll, every); }  // a network blip: try again
      });
  }
  window.setTimeout(poll, every);
})();
