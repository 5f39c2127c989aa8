/* Re-sourcing page: the form, the plan as a flow diagram (Sankey), capacity by stage. */
"use strict";
(function () {
  const compact = function (v) {
    const a = Math.abs(v);
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + "M";
    if (a >= 1e3) return +(v / 1e3).toPrecision(3) + "k";
    return String(v);
  };
  const t = function (v) {
    if (v === null || v === undefined) return "—";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : (+v.toPrecision(3)).toLocaleString("en-US");
  };

  // --- the form: empty fields are left out of the address; a material brings its stages -----
  const form = document.getElementById("reroute-form");
  const mats = JSON.parse((document.getElementById("materials-data") || { textContent: "[]" }).textContent);
  const matSelect = document.getElementById("material-select");
  const stageSelect = document.getElementById("stage-select");
  if (matSelect && stageSelect) {
    matSelect.addEventListener("change", function () {
      const m = mats.find(function (x) { return x.material === matSelect.value; });
      while (stageSelect.options.length > 1) stageSelect.remove(1);
      stageSelect.value = "";
      (m ? m.stages : []).forEach(function (s) { stageSelect.add(new Option(s.name, s.stage)); });
    });
  }
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const params = new URLSearchParams();
      new FormData(form).forEach(function (v, k) {
        const el = form.elements[k];
        const isDefault = el && el.dataset && el.dataset.default === v;
        if (String(v).trim() !== "" && !isDefault) params.append(k, String(v).trim());
      });
      window.location.href = "/reroute?" + params.toString();
    });
  }

  const d = derisk.pageData();
  if (!d.flows) return;

  // --- the plan ------------------------------------------------------------------------------
  const sk = derisk.chart("plan");
  if (sk && d.flows.links.length) {
    const colour = {};
    let ci = 0;
    const nodes = d.flows.nodes.map(function (n) {
      let color;
      if (n.kind === "destination") color = "#14213d";
      else if (n.kind === "unmet") color = "#b8bfc8";
      else {
        const key = n.country || n.name;
        if (!(key in colour)) colour[key] = derisk.PALETTE[ci++ % derisk.PALETTE.length];
        color = colour[key];
      }
      return Object.assign({}, n, { itemStyle: { color: color, borderColor: n.kind === "unmet" ? "#c62828" : color, borderWidth: n.kind === "unmet" ? 1 : 0 } });
    });
    const byName = {};
    nodes.forEach(function (n) { byName[n.name] = n; });
    const links = d.flows.links.map(function (l) {
      const style = l.kind === "unmet"
        ? { color: "#c9ced6", opacity: 0.75 }
        : { color: byName[l.source].itemStyle.color, opacity: 0.42 };
      return Object.assign({}, l, { lineStyle: style });
    });
    const cols = d.flows.columns;
    const left = 16, right = 190, top = 34, nodeWidth = 16;
    sk.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.dataType === "edge") {
          const a = byName[p.data.source], b = byName[p.data.target];
          if (p.data.kind === "unmet") return "Unmet demand: <b>" + t(p.data.value) + " t/yr</b>";
          return derisk.esc(a.label) + " → " + derisk.esc(b.label) + ": <b>" + t(p.data.value) + " t/yr</b> of " + derisk.esc(p.data.stage || "") + (p.data.ref ? "<br>figure: " + derisk.esc(p.data.ref) : "");
        }
        const n = p.data;
        if (n.kind === "destination") return derisk.esc(n.label) + ": <b>" + t(p.value) + " t/yr</b> asked";
        if (n.kind === "unmet") return "Unmet demand: <b>" + t(p.value) + " t/yr</b>";
        return derisk.esc(n.label) + " · " + derisk.esc(n.stage_name) + ": uses <b>" + t(n.used) + "</b> of " + t(n.available) + " t/yr" + (n.ref ? "<br>figure: " + derisk.esc(n.ref) : "");
      } },
      graphic: cols.map(function (c, i) {
        const w = sk.getWidth() - left - right - nodeWidth;
        const x = left + (cols.length > 1 ? i * w / (cols.length - 1) : 0);
        return { type: "text", left: x, top: 6, style: { text: c, fill: "#5c6773", fontSize: 12, fontWeight: 600 } };
      }),
      series: [{
        type: "sankey", left: left, right: right, top: top, bottom: 8, nodeWidth: nodeWidth, nodeGap: 14,
        nodeAlign: "justify", draggable: false, layoutIterations: 0,
        data: nodes, links: links,
        label: { position: "right", fontSize: 12, color: "#1d2530", formatter: function (p) {
          return p.data.label + "  " + t(p.value);
        } },
        emphasis: { focus: "adjacency" }
      }]
    });
    sk.on("click", function (p) {
      const ref = p.data && p.data.ref;
      if (ref) window.location.href = derisk.sourceHref(ref);
    });
  }

  // --- capacity by stage -----------------------------------------------------------------------
  const cc = derisk.chart("capacity");
  if (cc && d.capacity.length) {
    const parts = [
      ["used by the plan", "used", "#1f5fae"],
      ["eligible, unused", "unused", "#9ecae1"],
      ["excluded", "excluded", "#c62828"],
      ["unknown origin", "unknown", "#b8bfc8"]
    ];
    cc.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 150, right: 24, top: 58, bottom: 24, containLabel: false },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return t(v) + " t/yr"; } },
      xAxis: { type: "value", axisLabel: { formatter: compact }, splitLine: { lineStyle: { color: "#eef0f3" } } },
      yAxis: { type: "category", inverse: true, data: d.capacity.map(function (c) { return c.label; }),
               axisLabel: { width: 136, overflow: "break", lineHeight: 14, color: "#1d2530" } },
      series: parts.map(function (p) {
        return { name: p[0], type: "bar", stack: "cap", barMaxWidth: 30, itemStyle: { color: p[2], borderColor: "#fff", borderWidth: 1 },
                 data: d.capacity.map(function (c) { return c[p[1]]; }) };
      })
    });
    cc.on("click", function (p) { window.location.href = derisk.sourceHref(d.capacity[p.dataIndex].source_id); });
  }
})();
