/* Shock scenario page: shortfall timeline, how the gap is met for one node, products. */
"use strict";
(function () {
  const d = derisk.pageData();
  const SHORT = ["#c62828", "#ef6548", "#b7791f", "#6a51a3", "#8c564b", "#d9820f", "#4d7ea8", "#0f7c8c"];
  const t = function (v) {
    if (v === null || v === undefined) return "—";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : (+v.toPrecision(3)).toLocaleString("en-US");
  };

  // --- choosing a scenario or an as-of date loads that scenario's page -----------------------
  const form = document.getElementById("scenario-form");
  const pick = document.getElementById("scenario-select");
  const asOf = document.getElementById("as-of");
  function go() {
    const keep = asOf && asOf.value && asOf.dataset.default !== asOf.value;
    window.location.href = "/scenarios/" + encodeURIComponent(pick.value) + (keep ? "?as_of=" + asOf.value : "");
  }
  if (form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); go(); });
    pick.addEventListener("change", go);
    if (asOf) asOf.addEventListener("change", go);
  }

  const byKey = {};
  (d.nodes || []).forEach(function (n) { byKey[n.key] = n; });

  // Restriction periods as shaded bands ([start, end) in months; clipped to the horizon).
  function bands() {
    const months = d.months;
    const out = [];
    (d.restrictions || []).forEach(function (r) {
      const first = months.findIndex(function (m) { return m >= r.start; });
      let last = -1;
      months.forEach(function (m, i) { if (m < r.end) last = i; });
      if (first < 0 || last < first) return;
      out.push([{ name: r.label, xAxis: months[first] }, { xAxis: months[last] }]);
    });
    return {
      silent: true,
      itemStyle: { color: "rgba(198, 40, 40, 0.07)", borderColor: "rgba(198, 40, 40, 0.35)", borderWidth: 0.5, borderType: "dashed" },
      label: { position: "insideTop", color: "#9b1c1c", fontSize: 11, distance: 4 },
      data: out
    };
  }
  const axis = function () {
    return { type: "category", data: d.months, axisLabel: { interval: d.months.length > 18 ? 2 : 0, hideOverlap: true }, axisTick: { alignWithLabel: true } };
  };

  // --- shortfall by month x stage x country --------------------------------------------------
  const tl = derisk.chart("timeline");
  if (tl) {
    const hit = (d.affected || []).map(function (k) { return byKey[k]; }).filter(function (n) {
      return n.shortfall.some(function (v) { return v > 0; });
    });
    const withheldNodes = (d.affected || []).map(function (k) { return byKey[k]; });
    const withheld = d.months.map(function (_, i) {
      return +withheldNodes.reduce(function (a, n) { return a + n.withheld[i]; }, 0).toFixed(3);
    });
    const series = hit.map(function (n, i) {
      return { name: n.label, type: "bar", stack: "short", barMaxWidth: 28, data: n.shortfall, node: n.key,
               itemStyle: { color: SHORT[i % SHORT.length] }, emphasis: { focus: "series" } };
    });
    series.push({ name: "shipments withheld", type: "line", step: "middle", data: withheld, symbol: "none",
                  lineStyle: { color: "#14213d", width: 1.5, type: "dashed" }, itemStyle: { color: "#14213d" }, z: 5 });
    series[0].markArea = bands();
    tl.setOption({
      animation: false,
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 30, bottom: 34, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return t(v) + " t"; } },
      xAxis: axis(),
      yAxis: { type: "value", name: "t per month", nameTextStyle: { align: "left" }, splitLine: { lineStyle: { color: "#eef0f3" } } },
      series: series,
      graphic: hit.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: "No shortfall in the horizon", fill: "#5c6773", fontSize: 14 } }]
    });
    tl.on("click", function (p) {
      const s = series[p.seriesIndex];
      if (s && s.node) focus(s.node, true);
    });
  }

  // --- how the gap is met, for one node ------------------------------------------------------
  const bal = derisk.chart("balance");
  const nodeSelect = document.getElementById("node-select");
  function focus(key, scroll) {
    const n = byKey[key];
    if (!n || !bal) return;
    if (nodeSelect) nodeSelect.value = key;
    const label = document.getElementById("focus-label");
    if (label) label.textContent = n.label;
    document.querySelectorAll("#summary tr[data-node]").forEach(function (tr) {
      tr.classList.toggle("focused", tr.dataset.node === key);
    });
    const stack = function (name, key2, color) {
      return { name: name, type: "bar", stack: "use", barMaxWidth: 28, data: n[key2], itemStyle: { color: color } };
    };
    const series = [
      stack("deliveries", "deliveries", "#1f5fae"),
      stack("substitution", "substitution", "#2e8b57"),
      stack("stock draw", "stock_draw", "#e0a526"),
      stack("shortfall", "shortfall", "#c62828"),
      { name: "withheld", type: "line", step: "middle", data: n.withheld, symbol: "none", lineStyle: { color: "#14213d", type: "dashed", width: 1.5 }, itemStyle: { color: "#14213d" } },
      { name: "stock left", type: "line", yAxisIndex: 1, data: n.stock_end, symbol: "circle", symbolSize: 4, lineStyle: { color: "#8c96a3", width: 1.5 }, itemStyle: { color: "#8c96a3" } }
    ];
    series[0].markArea = bands();
    bal.setOption({
      animation: false,
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 30, bottom: 34, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return t(v) + " t"; } },
      xAxis: axis(),
      yAxis: [
        { type: "value", name: "t per month", nameTextStyle: { align: "left" }, splitLine: { lineStyle: { color: "#eef0f3" } } },
        { type: "value", name: "stock, t", nameTextStyle: { align: "right" }, splitLine: { show: false } }
      ],
      series: series
    }, { replaceMerge: ["series"] });
    if (scroll) bal.getDom().scrollIntoView({ behavior: "instant", block: "center" });
  }
  if (nodeSelect) nodeSelect.addEventListener("change", function () { focus(nodeSelect.value, false); });
  document.querySelectorAll("#summary button.show").forEach(function (b) {
    b.addEventListener("click", function () { focus(b.dataset.node, true); });
  });
  if (d.focus) focus(d.focus, false);

  // --- products ------------------------------------------------------------------------------
  const pc = derisk.chart("product-chart");
  if (pc && d.products && d.products.length) {
    const tonnes = d.products.every(function (p) { return p.short.every(function (v) { return v !== null && v !== undefined; }); });
    const series = d.products.map(function (p, i) {
      return tonnes
        ? { name: p.name, type: "bar", stack: "p", barMaxWidth: 28, data: p.short, itemStyle: { color: derisk.PALETTE[i % derisk.PALETTE.length] } }
        : { name: p.name, type: "line", data: p.share.map(function (v) { return +(100 * v).toFixed(2); }), symbol: "none", lineStyle: { width: 2 } };
    });
    pc.setOption({
      animation: false,
      legend: { bottom: 0, type: "plain" },
      grid: { left: 8, right: 16, top: 30, bottom: 20 + 22 * Math.ceil(d.products.length / 2), containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return tonnes ? t(v) + " t" : v.toFixed(1) + "%"; } },
      xAxis: { type: "category", data: d.products[0].months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: tonnes ? "t per month short" : "% short", nameTextStyle: { align: "left" }, splitLine: { lineStyle: { color: "#eef0f3" } } },
      series: series
    });
  }
})();
