// A background job's progress bar (an import, an evidence bundle), kept up to date while the
// worker has the job (polls the page's own JSON address, data-poll); when the job ends, the
// page is reloaded to show the result.
// Without this script the page refreshes itself (a <noscript> meta refresh) or by hand.
(function () {
  "use strict";
  var box = document.querySelector(".import-progress[data-poll], .job-progress[data-poll]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector(".import-progress-label, .job-progress-label");
  var url = box.getAttribute("data-poll");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        label.textContent = p.label;
        box.setAttribute("data-phase", p.phase);
        if (p.busy) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();
