/* Product page: the trace tree from the product back to the mines. */
"use strict";
(function () {
  const tree = derisk.pageData();
  const c = derisk.chart("tree");
  if (!c || !tree.name) return;
  function style(n) {
    if (n.kind === "origin") {
      const color = n.country === "CHN" ? derisk.CHINA : "#1f5fae";
      n.itemStyle = n.basis === "traced" ? { color: color, borderColor: color } : { color: "#fff", borderColor: color, borderWidth: 2 };
      n.symbolSize = 8 + Math.round(14 * Math.sqrt(n.share || 0));
    } else if (n.kind === "unknown") {
      n.itemStyle = { color: "#fff", borderColor: derisk.OTHER, borderType: "dashed", borderWidth: 2 };
    } else {
      n.itemStyle = { color: "#14213d", borderColor: "#14213d" };
      n.symbolSize = n.kind === "product" ? 14 : 10;
      n.label = { fontWeight: "bold", position: "top", align: "center", verticalAlign: "bottom", width: 130, overflow: "break", lineHeight: 13, fontSize: 11 };
      if (n.kind === "product") { n.fullName = n.name; n.name = "Product"; }
    }
    (n.children || []).forEach(style);
  }
  style(tree);
  c.setOption({
    animation: false,
    tooltip: { trigger: "item", formatter: function (p) {
      const d = p.data;
      if (d.kind === "origin") return derisk.esc(d.name) + " (" + derisk.esc(d.basis) + ")" + (d.source_id ? "<br>source: " + derisk.esc(d.source_id) : "");
      return derisk.esc(d.fullName || d.name);
    } },
    series: [{
      type: "tree", data: [tree], orient: "LR", left: 40, right: 200, top: 30, bottom: 20,
      initialTreeDepth: -1, expandAndCollapse: false, symbol: "circle",
      label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12, width: 170, overflow: "break" },
      leaves: { label: { position: "right", align: "left", width: 175, overflow: "truncate" } },
      lineStyle: { color: "#b8bfc8", width: 1.2, curveness: 0.5 }
    }]
  });
  c.on("click", function (p) {
    const d = p.data;
    if (d.kind === "origin" && d.entity) window.location.href = "/entities/" + encodeURIComponent(d.entity);
    else if (d.kind === "origin" && d.source_id) window.location.href = derisk.sourceHref(d.source_id);
  });
})();
