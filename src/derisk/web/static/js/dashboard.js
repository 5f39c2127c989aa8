/* Dashboard: bottleneck share of each material, highest first. */
"use strict";
(function () {
  const d = derisk.pageData();
  const c = derisk.chart("necks");
  if (!c || !d.necks) return;
  const rows = d.necks.slice().reverse(); // echarts draws categories bottom-up
  c.setOption({
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { lineStyle: { color: "#eef0f3" } } },
    yAxis: { type: "category", data: rows.map(function (r) { return r.name + " · " + r.stage; }),
             axisLabel: { width: 170, overflow: "truncate", fontSize: 12 } },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (p) {
        const r = rows[p[0].dataIndex];
        const b = r.bounds[1] - r.bounds[0] > 0.0005 ? " (up to " + derisk.pct(r.bounds[1]) + ")" : "";
        return derisk.esc(r.name) + " — " + derisk.esc(r.stage_name) + "<br>" + derisk.esc(d.label) + ": <b>" + derisk.pct(r.share) + "</b>" + b + "<br>source: " + derisk.esc(r.source_id);
      } },
    series: [
      { type: "bar", stack: "s", name: d.label, data: rows.map(function (r) {
          const s = r.share || 0;
          return { value: +(100 * s).toFixed(1), itemStyle: { color: s >= 0.5 ? derisk.CHINA : "#ef8a62" } };
        }),
        label: { show: true, position: "right", formatter: function (p) {
          const r = rows[p.dataIndex];
          return r.bounds[1] - r.bounds[0] > 0.0005 ? derisk.pct(r.bounds[0], 0) + "–" + derisk.pct(r.bounds[1], 0) : derisk.pct(r.share, 0);
        }, fontSize: 11, color: "#1d2530" }, barMaxWidth: 16 },
      { type: "bar", stack: "s", name: "unknown", data: rows.map(function (r) {
          return +(100 * ((r.bounds[1] || 0) - (r.bounds[0] || 0))).toFixed(1);
        }), itemStyle: { color: "rgba(198,40,40,0.18)", borderColor: derisk.CHINA, borderType: "dashed" }, barMaxWidth: 16 }
    ]
  });
  c.on("click", function (p) {
    const r = rows[p.dataIndex];
    const sep = d.selq ? d.selq + "&" : "?";
    window.location.href = "/materials/" + r.material + sep + "stage=" + r.stage;
  });
})();
