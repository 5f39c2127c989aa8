/* derisk pages: shared helpers. Data come from the page (<script id="page-data">). */
"use strict";
window.derisk = (function () {
  const CHINA = "#c62828";
  const PALETTE = ["#1f5fae", "#2e8b57", "#b7791f", "#6a51a3", "#0f7c8c", "#d9820f", "#8c564b", "#4d7ea8"];
  const OTHER = "#b8bfc8";

  function pageData() {
    const el = document.getElementById("page-data");
    return el ? JSON.parse(el.textContent) : {};
  }
  function pct(x, nd) {
    if (x === null || x === undefined) return "—";
    return (100 * x).toFixed(nd === undefined ? 1 : nd) + "%";
  }
  // Text from data, made safe to put inside HTML (tooltips are HTML): every tooltip escapes
  // each value it shows.
  function esc(x) {
    if (x === null || x === undefined) return "";
    return String(x).replace(/[&<>"'`]/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" }[ch];
    });
  }
  function sourceHref(id) { return "/sources/" + encodeURIComponent(id); }
  function colorFor(country, selected, i) {
    if (!country) return OTHER;
    if (selected && selected.indexOf(country) >= 0) return CHINA;
    return PALETTE[i % PALETTE.length];
  }
  const charts = [];
  function chart(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  // Follow the window's size; a chart whose box is momentarily empty (a window being
  // resized or restored) keeps its last size, as drawing into no space has no transform.
  let pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) {
        const el = c.getDom();
        if (el.clientWidth > 0 && el.clientHeight > 0) c.resize();
      });
    });
  });

  // Forms marked data-autosubmit submit when a select or date changes; empty fields are dropped.
  function cleanSubmit(form, action) {
    const params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      const el = form.elements[k];
      const isDefault = el && el.dataset && el.dataset.default === v; // e.g. as-of today
      if (v !== "" && k !== "material" && !isDefault) params.append(k, v);
    });
    const qs = params.toString();
    window.location.href = (action || window.location.pathname) + (qs ? "?" + qs : "");
  }
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); cleanSubmit(form, form.dataset.action); });
    form.querySelectorAll("select, input[type=date]").forEach(function (el) {
      el.addEventListener("change", function () {
        if (el.dataset.resets) {
          el.dataset.resets.split(",").forEach(function (name) {
            const other = form.elements[name];
            if (other) other.value = "";
          });
        }
        if (el.dataset.navigate) form.dataset.action = el.dataset.navigate.replace("{value}", encodeURIComponent(el.value));
        cleanSubmit(form, form.dataset.action);
      });
    });
  });

  // Run fn once the element has a size (charts cannot be laid out in an empty box).
  function whenSized(el, fn) {
    if (el.clientWidth > 0 && el.clientHeight > 0) fn();
    else window.requestAnimationFrame(function () { whenSized(el, fn); });
  }

  // Requests a page makes after loading (e.g. map shapes): `pending` is 0 once all are in.
  const state = { pending: 0 };
  function track(promise) {
    state.pending += 1;
    return promise.finally(function () { state.pending -= 1; });
  }

  return { esc: esc, state: state, track: track, whenSized: whenSized, pageData: pageData, pct: pct, sourceHref: sourceHref, colorFor: colorFor, chart: chart, CHINA: CHINA, OTHER: OTHER, PALETTE: PALETTE };
})();
