// While a flow action is queued or running on this person, poll its status every second and swap in the
// result and the fresh activity log; when it is done, reload once so the fields show Salesforce's values
// (unless the marketer has started editing the form).
(function () {
  "use strict";
  var box = document.getElementById("sync-flow-runs");
  if (!box || box.dataset.active !== "true") return;
  var url = box.dataset.url;
  var edited = false;
  var started = Date.now();
  var form = document.querySelector("#content-main form");
  if (form) form.addEventListener("input", function () { edited = true; });

  function swap(doc, id) {
    var fresh = doc.getElementById(id);
    var current = document.getElementById(id);
    if (fresh && current) current.replaceWith(fresh);
    return fresh;
  }

  function poll() {
    if (Date.now() - started > 10 * 60 * 1000) return;  // a stuck worker: stop asking after ten minutes
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = swap(doc, "sync-flow-runs");
        swap(doc, "panel-activity");
        if (fresh && fresh.dataset.active === "true") {
          setTimeout(poll, 1000);
        } else if (!edited) {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
