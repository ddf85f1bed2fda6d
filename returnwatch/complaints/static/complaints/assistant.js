/* Complaint assistant: small enhancements; every page works without this file. */
(function () {
  "use strict";
  // Copy the letter text to the clipboard.
  document.querySelectorAll("button.copy-text").forEach(function (button) {
    var target = document.getElementById(button.dataset.target);
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = button.dataset.done;
      });
    });
  });
  // Print the summary page.
  document.querySelectorAll("button.print-page").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Step 1: show the representative's questions only when filing for someone else.
  var form = document.querySelector("form.complaint-step[data-step=filer]");
  if (form) {
    var group = form.querySelector("fieldset.complaint-group");
    var radios = form.querySelectorAll("input[name=filer_role]");
    var update = function () {
      var checked = form.querySelector("input[name=filer_role]:checked");
      group.hidden = !!checked && checked.value === "self" && !group.querySelector(".error");
    };
    if (group) {
      radios.forEach(function (r) { r.addEventListener("change", update); });
      update();
    }
  }
})();
