/* The dashboard's current cycle, refreshed every few seconds from the admin's JSON endpoint: no reload. */
(function () {
  "use strict";
  var panel = document.getElementById("sync-cycle");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-poll-url");
  var every = 1000 * (parseInt(panel.getAttribute("data-poll-seconds"), 10) || 5);

  function poll() {
    if (document.hidden) { return window.setTimeout(poll, every); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) {
          panel.innerHTML = data.html;
          panel.setAttribute("data-running", data.run || "");
        }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
