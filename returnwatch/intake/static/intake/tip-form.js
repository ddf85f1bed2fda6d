/* ReturnWatch tip and follow-up forms: checks file sizes before anything is sent and shows
   upload progress. An enhancement only: without it the browser still checks required fields
   and file types (HTML attributes) and the server checks everything. No third parties. */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  // As Django's filesizeformat writes sizes, so the page and the messages agree.
  function size(bytes) {
    var units = [[1024 * 1024 * 1024, " GB"], [1024 * 1024, " MB"], [1024, " KB"]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][0]) {
        var n = bytes / units[i][0];
        try {
          n = n.toLocaleString(document.documentElement.lang || undefined,
            { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        } catch (e) {
          n = n.toFixed(1);  // a language the browser has no number format for
        }
        return n + units[i][1];
      }
    }
    return bytes + " bytes";
  }

  function enhance(form) {
    var d = form.dataset;
    var maxFile = Number(d.maxFile), maxTotal = Number(d.maxTotal), maxFiles = Number(d.maxFiles);
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var fileError = form.querySelector("[data-file-error]");
    var progress = form.querySelector("[data-upload-progress]");
    var bar = progress && progress.querySelector("progress");
    var percent = progress && progress.querySelector("[data-percent]");
    var networkError = form.querySelector("[data-network-error]");
    var sending = false;

    // Per-file, total and count limits, shown beside the field; the form will not send.
    function checkFiles() {
      var problems = [], total = 0, count = 0;
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          count += 1;
          total += file.size;
          if (file.size > maxFile) {
            problems.push(fill(d.msgFile, { name: file.name, size: size(file.size), limit: size(maxFile) }));
          }
        });
      });
      if (count > maxFiles) problems.push(fill(d.msgCount, { count: maxFiles }));
      if (total > maxTotal && !problems.length) {
        problems.push(fill(d.msgTotal, { size: size(total), limit: size(maxTotal) }));
      }
      var message = problems.join(" ");
      inputs.forEach(function (input) { input.setCustomValidity(message); });
      if (fileError) {
        fileError.textContent = message;
        fileError.hidden = !message;
      }
      return !message;
    }

    inputs.forEach(function (input) { input.addEventListener("change", checkFiles); });

    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; }  // a second click while sending
      if (!checkFiles()) { event.preventDefault(); inputs[0].reportValidity(); return; }
      if (!window.FormData || !("upload" in new XMLHttpRequest())) return;  // plain sending
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      var buttons = form.querySelectorAll("button[type=submit]");
      var xhr = new XMLHttpRequest();
      var address = form.action || window.location.href;
      sending = true;
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      if (networkError) networkError.hidden = true;
      if (progress) { progress.hidden = false; bar.value = 0; percent.textContent = ""; }
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          percent.textContent = bar.value + " %";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL.split("#")[0] !== address.split("#")[0]) {
          window.location.assign(xhr.responseURL);  // saved: on to the receipt (a GET)
          return;
        }
        // Refused (the form again, with messages and what was typed): show that page.
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        sending = false;
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        if (progress) progress.hidden = true;
        if (networkError) { networkError.textContent = d.msgNetwork; networkError.hidden = false; }
      });
      xhr.open("POST", address);
      xhr.send(data);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-limits]"), enhance);
})();
