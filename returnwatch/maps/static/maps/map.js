// Map enhancements (progressive: the server-drawn map and its list work without this file).
// Zoom buttons, double-click and Ctrl+wheel zoom, drag to pan, pinch, and a tooltip per city.
(function () {
  "use strict";
  var maps = document.querySelectorAll("svg.rw-map");
  Array.prototype.forEach.call(maps, enhance);

  function enhance(svg) {
    var full = [0, 0, +svg.getAttribute("data-width"), +svg.getAttribute("data-height")];
    var vb = full.slice();
    var figure = svg.parentNode;
    var labels = (svg.getAttribute("data-controls") || "").split("|");

    function apply() {
      svg.setAttribute("viewBox", vb.map(function (v) { return v.toFixed(2); }).join(" "));
      svg.classList.toggle("zoomed", vb[2] < full[2]);
    }
    function clamp() {
      vb[2] = Math.min(full[2], Math.max(full[2] / 8, vb[2]));
      vb[3] = vb[2] * full[3] / full[2];
      vb[0] = Math.min(full[2] - vb[2], Math.max(0, vb[0]));
      vb[1] = Math.min(full[3] - vb[3], Math.max(0, vb[1]));
    }
    // Zoom by `factor` keeping the point (fx, fy), given as fractions of the view, in place.
    function zoom(factor, fx, fy) {
      var w = vb[2] / factor, h = vb[3] / factor;
      vb[0] += (vb[2] - w) * fx;
      vb[1] += (vb[3] - h) * fy;
      vb[2] = w;
      vb[3] = h;
      clamp();
      apply();
    }
    function fraction(clientX, clientY) {
      var r = svg.getBoundingClientRect();
      return [(clientX - r.left) / r.width, (clientY - r.top) / r.height];
    }

    // Buttons: only with this script, so a page without it shows none that do nothing.
    var bar = document.createElement("div");
    bar.className = "rw-map-controls";
    [["+", labels[0] || "Zoom in", function () { zoom(1.6, 0.5, 0.5); }],
     ["\u2212", labels[1] || "Zoom out", function () { zoom(1 / 1.6, 0.5, 0.5); }],
     ["\u27f2", labels[2] || "Whole map", function () { vb = full.slice(); apply(); }]
    ].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.setAttribute("aria-label", b[1]);
      button.title = b[1];
      button.addEventListener("click", b[2]);
      bar.appendChild(button);
    });
    figure.insertBefore(bar, svg);

    // The wheel zooms with Ctrl, or once zoomed in; otherwise it scrolls the page as usual.
    svg.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !svg.classList.contains("zoomed")) return;
      e.preventDefault();
      var f = fraction(e.clientX, e.clientY);
      zoom(e.deltaY < 0 ? 1.25 : 0.8, f[0], f[1]);
    }, { passive: false });

    svg.addEventListener("dblclick", function (e) {
      if (e.target.closest("a")) return;
      var f = fraction(e.clientX, e.clientY);
      zoom(1.6, f[0], f[1]);
    });

    // Drag to pan (one pointer), pinch to zoom (two); a drag is not a click on a city.
    var pointers = {}, start = null, dragged = false, pinch = 0;
    svg.addEventListener("pointerdown", function (e) {
      pointers[e.pointerId] = [e.clientX, e.clientY];
      start = { x: e.clientX, y: e.clientY, vb: vb.slice() };
      dragged = false;
      pinch = 0;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!(e.pointerId in pointers) || !start) return;
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var ids = Object.keys(pointers);
      var r = svg.getBoundingClientRect();
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (pinch) {
          var f = fraction((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
          zoom(d / pinch, f[0], f[1]);
        }
        pinch = d;
        dragged = true;
        return;
      }
      var dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!dragged && Math.hypot(dx, dy) < 5) return;
      dragged = true;
      if (svg.setPointerCapture) svg.setPointerCapture(e.pointerId);
      vb[0] = start.vb[0] - dx * vb[2] / r.width;
      vb[1] = start.vb[1] - dy * vb[3] / r.height;
      clamp();
      apply();
    });
    function up(e) {
      delete pointers[e.pointerId];
      if (!Object.keys(pointers).length) start = null;
      // The click that ends a drag comes in this same task; later ones (keyboard) are real.
      if (dragged) setTimeout(function () { dragged = false; }, 0);
    }
    svg.addEventListener("pointerup", up);
    svg.addEventListener("pointercancel", up);
    svg.addEventListener("click", function (e) {
      if (dragged) { e.preventDefault(); dragged = false; }
    }, true);

    // Tooltip: the city, its count, and where the link goes.
    var tip = document.createElement("div");
    tip.className = "rw-map-tip";
    tip.setAttribute("aria-hidden", "true");
    tip.hidden = true;
    figure.appendChild(tip);
    function show(link, clientX, clientY) {
      tip.textContent = link.getAttribute("data-title");
      tip.hidden = false;
      var box = figure.getBoundingClientRect();
      if (clientX === undefined) {
        var c = link.querySelector("circle").getBoundingClientRect();
        clientX = c.left + c.width / 2;
        clientY = c.top;
      }
      var x = Math.min(clientX - box.left + 10, box.width - tip.offsetWidth - 4);
      tip.style.left = Math.max(0, x) + "px";
      tip.style.top = Math.max(0, clientY - box.top - tip.offsetHeight - 8) + "px";
    }
    function hide() { tip.hidden = true; }
    Array.prototype.forEach.call(svg.querySelectorAll("a.city"), function (link) {
      // The custom tooltip replaces the browser's own one from <title>.
      var title = link.querySelector("title");
      if (title) { link.setAttribute("data-title", title.textContent); title.remove(); }
      link.addEventListener("pointerenter", function (e) { show(link, e.clientX, e.clientY); });
      link.addEventListener("pointermove", function (e) { show(link, e.clientX, e.clientY); });
      link.addEventListener("pointerleave", hide);
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  }
})();
