// Keyboard help for the staff list's editable cells. The list works without this file (a
// plain form: Tab between cells, Enter or the button saves); here, only enhancements:
// - ArrowUp / ArrowDown: the same column in the row above / below (Alt+ArrowDown still
//   opens a list; typing a letter still picks in it);
// - Enter on a list (select) saves too, as it does in a text cell;
// - Escape puts the cell back as it was shown;
// - changed cells are marked, and their number is said in the status line.
(function () {
  "use strict";
  var form = document.querySelector("form[data-list-edit]");
  if (!form) return;
  var status = form.querySelector(".list-edit-status");
  var cells = function () {
    return Array.prototype.slice.call(form.querySelectorAll("[data-col]"));
  };

  function changed(el) {
    return el.value !== el.getAttribute("data-shown");
  }

  function refresh() {
    var n = 0;
    cells().forEach(function (el) {
      var c = changed(el);
      el.closest("td").classList.toggle("changed", c);
      if (c) n += 1;
    });
    if (status) {
      var many = status.getAttribute("data-many") || "%(n)s";
      status.textContent =
        n === 0 ? "" : n === 1 ? status.getAttribute("data-one") : many.replace("%(n)s", n);
    }
  }

  function move(el, step) {
    var col = el.getAttribute("data-col");
    var row = el.closest("tr");
    var next = step > 0 ? row.nextElementSibling : row.previousElementSibling;
    while (next) {
      var target = next.querySelector('[data-col="' + col + '"]');
      if (target) {
        target.focus();
        if (target.select && target.tagName === "INPUT") target.select();
        return true;
      }
      next = step > 0 ? next.nextElementSibling : next.previousElementSibling;
    }
    return false;
  }

  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-col")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      move(el, event.key === "ArrowDown" ? 1 : -1);
      event.preventDefault();
    } else if (event.key === "Enter" && el.tagName === "SELECT") {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    } else if (event.key === "Escape") {
      el.value = el.getAttribute("data-shown");
      refresh();
    }
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
