/* Entity page: ownership graph, holders above, holdings below. */
"use strict";
(function () {
  const g = derisk.pageData();
  const c = derisk.chart("graph");
  if (!c || !g.nodes) return;
  const SYMBOL = { government: "diamond", person: "circle", facility: "triangle", company: "roundRect" };
  const byLevel = {};
  g.nodes.forEach(function (n) { (byLevel[n.level] = byLevel[n.level] || []).push(n); });
  const countryColor = {};
  let k = 0;
  const plotWidth = Math.max(300, c.getWidth() - 220);
  const nodes = g.nodes.map(function (n) {
    const row = byLevel[n.level];
    const i = row.indexOf(n);
    const labelWidth = Math.max(60, Math.min(220, plotWidth / (row.length + 1) - 10));
    let color = "#5c6773";
    if (n.country === "CHN") color = derisk.CHINA;
    else if (n.country) { if (!(n.country in countryColor)) countryColor[n.country] = derisk.PALETTE[k++ % derisk.PALETTE.length]; color = countryColor[n.country]; }
    return {
      id: n.id, name: n.name, value: [(i + 1) / (row.length + 1) * 1000, n.level],
      symbol: SYMBOL[n.kind] || "roundRect", symbolSize: n.focus ? 34 : 24,
      itemStyle: { color: color, borderColor: n.focus ? "#14213d" : "#fff", borderWidth: n.focus ? 3 : 1 },
      label: { show: true, position: n.level <= 0 ? "top" : "bottom", width: labelWidth, overflow: "break", lineHeight: 13, fontSize: 11, fontWeight: n.focus ? "bold" : "normal" },
      kind: n.kind, country: n.country
    };
  });
  const edges = g.edges.map(function (e) {
    const pct = e.percent_max ? e.percent.toFixed(1) + "–" + e.percent_max.toFixed(1) + "%" : e.percent.toFixed(2) + "%";
    return { source: e.source, target: e.target, value: e.percent, pct: pct, ref: e.fact_id || e.source_id,
             label: { show: true, formatter: pct, fontSize: 11, backgroundColor: "#fff", padding: [1, 3] },
             lineStyle: { width: 1 + Math.min(6, e.percent / 10) } };
  });
  const levels = g.nodes.map(function (n) { return n.level; });
  c.setOption({
    animation: false,
    // a fixed frame: one row per level, nodes spread across (a single column stays centred)
    grid: { left: 110, right: 110, top: 50, bottom: 50 },
    xAxis: { type: "value", min: 0, max: 1000, show: false },
    yAxis: { type: "value", min: Math.min.apply(null, levels) - 0.15, max: Math.max.apply(null, levels) + 0.15, inverse: true, show: false },
    tooltip: { formatter: function (p) {
      if (p.dataType === "edge") return derisk.esc(p.data.source) + " → " + derisk.esc(p.data.target) + ": <b>" + derisk.esc(p.data.pct) + "</b><br>source: " + derisk.esc(p.data.ref);
      return derisk.esc(p.data.name) + "<br>" + derisk.esc(p.data.kind || "") + (p.data.country ? ", " + derisk.esc(p.data.country) : "");
    } },
    series: [{
      type: "graph", layout: "none", coordinateSystem: "cartesian2d", data: nodes, links: edges,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
      lineStyle: { color: "#8a96a6", curveness: 0.08, opacity: 0.9 },
      emphasis: { focus: "adjacency" }
    }]
  });
  c.on("click", function (p) {
    if (p.dataType === "edge" && p.data.ref) window.location.href = derisk.sourceHref(p.data.ref);
    else if (p.dataType === "node" && !p.data.focus) window.location.href = "/entities/" + encodeURIComponent(p.data.id);
  });
})();
