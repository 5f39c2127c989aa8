/* Material page: world map of shares, stage flows (Sankey), importer exposure. */
"use strict";
(function () {
  const d = derisk.pageData();
  const sel = d.selected || [];

  // Form: a material change goes to that material's page; a stage change drops the year.
  const mat = document.getElementById("material-select");
  if (mat) { mat.dataset.navigate = "/materials/{value}"; mat.dataset.resets = "stage,year,importer"; }
  const stage = document.getElementById("stage-select");
  if (stage) stage.dataset.resets = "year";

  // --- world map -------------------------------------------------------------------------
  // Rings that cross the 180th meridian (Russia's Chukotka, Fiji) would be drawn across the
  // whole flat map: pin their far-side points to the meridian instead.
  function fixRing(ring) {
    let lo = 180, hi = -180, east = 0;
    ring.forEach(function (p) { lo = Math.min(lo, p[0]); hi = Math.max(hi, p[0]); east += p[0] > 0 ? 1 : -1; });
    if (hi - lo <= 180) return;
    ring.forEach(function (p) {
      if (east >= 0 && p[0] < 0) p[0] = 180;
      if (east < 0 && p[0] > 0) p[0] = -180;
    });
  }
  function fixAntimeridian(g) {
    if (!g) return;
    if (g.type === "Polygon") g.coordinates.forEach(fixRing);
    if (g.type === "MultiPolygon") g.coordinates.forEach(function (poly) { poly.forEach(fixRing); });
  }

  const mapChart = derisk.chart("map");
  if (mapChart) {
    mapChart.showLoading({ text: "" });
    derisk.track(Promise.all([
      fetch("/static/vendor/world-atlas/countries-110m.json").then(function (r) { return r.json(); }),
      fetch("/api/countries?limit=1000").then(function (r) { return r.json(); })
    ]).then(function (res) {
      const topo = res[0], info = res[1];
      const byNum = {}, names = {};
      info.countries.forEach(function (c) { byNum[c.numeric] = c.iso3; names[c.iso3] = c.name; });
      const geo = topojson.feature(topo, topo.objects.countries);
      geo.features = geo.features.filter(function (f) { return f.id !== "010"; }); // Antarctica
      geo.features.forEach(function (f) {
        f.properties.iso3 = byNum[f.id] || ("N" + f.id);
        fixAntimeridian(f.geometry);
      });
      echarts.registerMap("world", geo);
      const shares = {};
      d.shares.forEach(function (s) { shares[s.country] = s; });
      const data = d.shares.filter(function (s) { return s.country; }).map(function (s) {
        return { name: s.country, value: +(100 * s.share).toFixed(2) };
      });
      const max = Math.max(10, Math.ceil(Math.max.apply(null, data.map(function (x) { return x.value; }).concat([0])) / 10) * 10);
      mapChart.hideLoading();
      derisk.whenSized(mapChart.getDom(), function () { mapChart.setOption({
        animation: false,
        tooltip: { trigger: "item", formatter: function (p) {
          const s = shares[p.name];
          const n = names[p.name] || p.name;
          return s ? derisk.esc(n) + ": <b>" + derisk.pct(s.share) + "</b><br>source: " + derisk.esc(d.source_id) : derisk.esc(n) + ": no figure";
        } },
        visualMap: { min: 0, max: max, left: 10, bottom: 10, text: [max + "%", "0%"], calculable: false,
                     inRange: { color: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"] }, itemHeight: 110 },
        series: [{
          type: "map", map: "world", nameProperty: "iso3", roam: true, aspectScale: 0.85,
          left: 0, right: 0, top: 0, bottom: 0, data: data,
          itemStyle: { areaColor: "#e6e9ee", borderColor: "#fff", borderWidth: 0.5 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd54f" } },
          select: { disabled: true }
        }]
      }); });
      mapChart.on("click", function (p) {
        if (shares[p.name]) window.location.href = derisk.sourceHref(d.source_id);
      });
    }));
  }

  // --- stage flows -----------------------------------------------------------------------
  const sk = derisk.chart("sankey");
  if (sk && d.flows && d.flows.length) {
    const nodes = [], links = [], seen = {}, colorIndex = {};
    let ci = 0;
    function countryNode(b) {
      const key = b.country || "rest";
      if (!seen[key]) {
        if (b.country && sel.indexOf(b.country) < 0) colorIndex[key] = ci++;
        seen[key] = { name: b.name, itemStyle: { color: derisk.colorFor(b.country, sel, colorIndex[key] || 0) } };
        nodes.push(seen[key]);
      }
      return seen[key].name;
    }
    d.flows.forEach(function (f, i) {
      const stageName = (i + 1) + ". " + f.name + " (" + f.year + ")";
      nodes.push({ name: stageName, itemStyle: { color: "#14213d" }, depth: 0,
                   label: { position: "left", width: 185, overflow: "break", lineHeight: 15 } });
      f.breakdown.forEach(function (b) {
        links.push({ source: stageName, target: countryNode(b), value: +(100 * b.share).toFixed(2),
                     source_id: f.source_id, share: b.share });
      });
    });
    sk.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.dataType === "edge") return derisk.esc(p.data.source) + " → " + derisk.esc(p.data.target) + ": <b>" + derisk.pct(p.data.share) + "</b><br>source: " + derisk.esc(p.data.source_id);
        return derisk.esc(p.name);
      } },
      series: [{
        type: "sankey", nodeAlign: "left", left: 200, right: 170, top: 8, bottom: 8, nodeGap: 10, nodeWidth: 14,
        draggable: false, layoutIterations: 0,
        data: nodes, links: links,
        label: { fontSize: 12, color: "#1d2530", width: 160, overflow: "truncate" },
        lineStyle: { color: "gradient", opacity: 0.45, curveness: 0.5 },
        emphasis: { focus: "adjacency" }
      }]
    });
    sk.on("click", function (p) { if (p.dataType === "edge") window.location.href = derisk.sourceHref(p.data.source_id); });
  }

  // --- importer exposure -----------------------------------------------------------------
  const ic = derisk.chart("imports");
  if (ic && d.importer && d.importer.categories.length) {
    const cats = d.importer.categories;
    const countries = [];
    cats.forEach(function (c) { c.sources.forEach(function (s) { if (countries.indexOf(s.country) < 0) countries.push(s.country); }); });
    let k = 0;
    const series = countries.map(function (iso) {
      const isOther = iso === "OTH";
      const color = isOther ? derisk.OTHER : derisk.colorFor(iso, sel, sel.indexOf(iso) >= 0 ? 0 : k++);
      return {
        type: "bar", stack: "imports", name: isOther ? "Other" : iso, barMaxWidth: 26,
        itemStyle: { color: color, borderColor: "#fff", borderWidth: 1 },
        label: { show: true, formatter: function (p) { return p.value >= 7 ? p.seriesName + " " + p.value.toFixed(0) + "%" : ""; }, fontSize: 11, color: "#fff" },
        data: cats.map(function (c) {
          const s = c.sources.find(function (x) { return x.country === iso; });
          return s ? { value: +(100 * s.share).toFixed(1), source_id: c.source_id } : null;
        })
      };
    });
    ic.setOption({
      animation: false,
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 34, bottom: 20, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return derisk.esc(cats[p.dataIndex].category) + "<br>" + derisk.esc(p.seriesName) + ": <b>" + derisk.esc(p.value) + "%</b><br>source: " + derisk.esc(cats[p.dataIndex].source_id); } },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: cats.map(function (c) { return c.category + " (" + c.period + ")"; }), inverse: true,
               axisLabel: { width: 200, overflow: "truncate" } },
      series: series
    });
    ic.on("click", function (p) { window.location.href = derisk.sourceHref(cats[p.dataIndex].source_id); });
  }

  // --- China's exports by destination (where trade data exist) -------------------------
  if (d.exports) {
    d.exports.series.forEach(function (s, i) {
      const ec = derisk.chart("exports-" + i);
      if (!ec) return;
      const src = (s.source_ids && s.source_ids[0]) || null;
      const lines = s.partners.map(function (p, k) {
        return { name: p.name, type: "line", stack: "exports", areaStyle: { opacity: 0.85 }, symbol: "none",
                 lineStyle: { width: 0.5 }, itemStyle: { color: derisk.PALETTE[k % derisk.PALETTE.length] },
                 emphasis: { focus: "series" }, data: p.values };
      });
      lines.push({ name: "other (" + s.other_partners + ")", type: "line", stack: "exports", areaStyle: { opacity: 0.85 },
                   symbol: "none", lineStyle: { width: 0.5 }, itemStyle: { color: derisk.OTHER }, data: s.other });
      ec.setOption({
        animation: false,
        legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 34, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "no report" : v.toFixed(1) + " t"; } },
        xAxis: { type: "category", data: s.months, boundaryGap: false },
        yAxis: { type: "value", name: "t", splitLine: { lineStyle: { color: "#eef0f3" } } },
        series: lines
      });
      ec.on("click", function () { if (src) window.location.href = derisk.sourceHref(src); });
    });
  }
})();
