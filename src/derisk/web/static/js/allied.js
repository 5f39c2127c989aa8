/* Allied supply page: year-by-year chart (secured, shortfall, others' take) and a map of plants. */
"use strict";
(function () {
  const d = derisk.pageData();
  if (!d.years) return;
  const t = function (v) {
    if (v === null || v === undefined) return "—";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : (+(+v).toPrecision(3)).toLocaleString("en-US");
  };
  const years = d.years.map(String);

  const yc = derisk.chart("years-chart");
  if (yc) {
    const series = d.members.map(function (m, i) {
      return { name: m.member, type: "bar", stack: "club", data: m.allocation, itemStyle: { color: derisk.PALETTE[i % derisk.PALETTE.length] } };
    });
    series.push({ name: "shortfall", type: "bar", stack: "club", data: d.shortfall, itemStyle: { color: "rgba(198, 40, 40, 0.25)", borderColor: "#c62828", borderType: "dashed" } });
    series.push({ name: "China-free capacity", type: "line", data: d.eligible, symbol: "circle", lineStyle: { color: "#14213d" }, itemStyle: { color: "#14213d" } });
    series.push({ name: "taken by other buyers", type: "line", data: d.others, lineStyle: { type: "dashed", color: "#6b7280" }, itemStyle: { color: "#6b7280" } });
    derisk.whenSized(yc.getDom(), function () {
      yc.setOption({
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return t(v) + " " + d.unit; } },
        legend: { top: 0 },
        grid: { left: 70, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: years },
        yAxis: { type: "value", name: d.unit + "/yr", axisLabel: { formatter: function (v) { return t(v); } } },
        series: series
      });
    });
  }

  const mc = derisk.chart("plants-map");
  if (mc) {
    mc.showLoading({ text: "" });
    derisk.track(Promise.all([
      fetch("/static/vendor/world-atlas/countries-110m.json").then(function (r) { return r.json(); }),
      fetch("/api/countries?limit=1000").then(function (r) { return r.json(); })
    ]).then(function (res) {
      const topo = res[0], info = res[1];
      const byNum = {};
      info.countries.forEach(function (c) { byNum[c.numeric] = c.iso3; });
      const geo = topojson.feature(topo, topo.objects.countries);
      geo.features = geo.features.filter(function (f) { return f.id !== "010"; });
      geo.features.forEach(function (f) { f.properties.iso3 = byNum[f.id] || ("N" + f.id); });
      echarts.registerMap("world-allied", geo);
      const byCountry = {};
      d.countries.forEach(function (c) { byCountry[c.country] = c; });
      const data = d.countries.map(function (c) {
        const excludedOnly = c.eligible <= 0 && c.excluded > 0;
        return { name: c.country, value: +(c.eligible + c.excluded).toFixed(3),
                 itemStyle: { areaColor: excludedOnly ? "#9ca3af" : (c.eligible > 0 ? (c.excluded > 0 ? "#b7791f" : "#2b8a3e") : "#e6e9ee") } };
      });
      mc.hideLoading();
      derisk.whenSized(mc.getDom(), function () {
        mc.setOption({
          animation: false,
          tooltip: { trigger: "item", formatter: function (p) {
            const c = byCountry[p.name];
            if (!c) return derisk.esc(p.name) + ": no plant listed";
            return derisk.esc(c.name) + " (" + derisk.esc(d.map_year) + ")<br>eligible: <b>" + t(c.eligible) + "</b> " + derisk.esc(d.unit) +
              "<br>excluded: " + t(c.excluded) + "<br><small>" + c.plants.slice(0, 8).map(derisk.esc).join("<br>") + (c.plants.length > 8 ? "<br>…" : "") + "</small>";
          } },
          series: [{ type: "map", map: "world-allied", nameProperty: "iso3", roam: true, aspectScale: 0.85,
                     left: 0, right: 0, top: 0, bottom: 0, data: data,
                     itemStyle: { areaColor: "#f3f4f6", borderColor: "#fff", borderWidth: 0.5 },
                     emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd54f" } }, select: { disabled: true } }]
        });
      });
    }));
  }
})();
