/* The executive dashboards (templates/reports/dashboard.html; issue 10 item 3).
   Draws the ECharts charts from the json_script block "dashboard-charts" (built by
   reports/views_dashboard.chart_data): every [data-dashboard-chart] element names its chart.
   Each chart's figures are also in the table of its card (the "表格" tab), which is what screen
   readers and printouts use. No inline scripts (Content Security Policy). When every chart is
   drawn, <body data-dashboard="ready"> (the browser test waits for it). */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  var charts = [];

  function num(value) { return value === null || value === undefined ? null : Number(value); }
  function col(rows, key) { return rows.map(function (r) { return num(r[key]); }); }

  function draw(el, option, rows) {
    if (!rows || rows.length === 0) {
      el.classList.add("chart-empty");
      el.textContent = labels.empty || "";
      return;
    }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  var grid = { left: 56, right: 56, top: 40, bottom: 40, containLabel: false };
  var legend = { top: 0, type: "scroll" };

  var builders = {
    trends: function (el) {
      var rows = data.trends;
      draw(el, {
        grid: grid, legend: legend, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: rows.map(function (r) { return String(r.year); }) },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", axisLabel: { formatter: "{value}%" } }],
        series: [
          { name: labels.circles_registered, type: "bar", data: col(rows, "circles_registered") },
          { name: labels.results, type: "bar", data: col(rows, "results") },
          { name: labels.circles_active, type: "bar", data: col(rows, "circles_active") },
          { name: labels.participation_rate, type: "line", yAxisIndex: 1, data: col(rows, "participation_rate") },
          { name: labels.results_rate, type: "line", yAxisIndex: 1, data: col(rows, "results_rate") }
        ]
      }, rows);
    },
    spending: function (el) {
      var rows = data.trends;
      draw(el, {
        grid: grid, legend: legend, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: rows.map(function (r) { return String(r.year); }) },
        yAxis: { type: "value" },
        series: [
          { name: labels.benefit, type: "bar", data: col(rows, "benefit") },
          { name: labels.qc_activity_spending, type: "bar", stack: "spending", data: col(rows, "qc_activity_spending") },
          { name: labels.reward_spending, type: "bar", stack: "spending", data: col(rows, "reward_spending") }
        ]
      }, rows);
    },
    breakdown: function (el) {
      var rows = data.breakdown;
      draw(el, {
        grid: { left: 56, right: 56, top: 40, bottom: 80 }, legend: legend, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 30, interval: 0 } },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", axisLabel: { formatter: "{value}%" } }],
        dataZoom: rows.length > 20 ? [{ type: "slider", start: 0, end: Math.round(2000 / rows.length) }] : [],
        series: [
          { name: labels.circles_registered, type: "bar", data: col(rows, "circles_registered") },
          { name: labels.results, type: "bar", data: col(rows, "results") },
          { name: labels.participation_rate, type: "line", yAxisIndex: 1, data: col(rows, "participation_rate") }
        ]
      }, rows);
    },
    map: function (el) {
      var rows = data.map;
      if (!window.echarts.getMap || !window.echarts.getMap("china")) {
        el.classList.add("chart-empty");
        el.textContent = labels.empty || "";
        return;
      }
      var max = Math.max.apply(null, [1].concat(rows.map(function (r) { return num(r.value) || 0; })));
      draw(el, {
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value === undefined || isNaN(p.value) ? "—" : p.value); } },
        visualMap: { min: 0, max: max, left: 8, bottom: 8, calculable: true, text: [String(max), "0"] },
        series: [{
          name: labels.circles_registered, type: "map", map: "china", roam: false,
          emphasis: { label: { show: true } },
          data: rows.map(function (r) { return { name: r.name, value: num(r.value) }; })
        }]
      }, rows);
    },
    by_type: function (el) {
      var rows = data.by_type.filter(function (r) { return r.results > 0; });
      draw(el, {
        tooltip: { trigger: "item" }, legend: legend,
        series: [{ type: "pie", radius: ["35%", "65%"], top: 24, data: rows.map(function (r) { return { name: r.label, value: r.results }; }) }]
      }, rows);
    },
    by_domain: function (el) {
      var rows = data.by_domain;
      draw(el, {
        grid: { left: 140, right: 24, top: 16, bottom: 24 }, tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.domain; }) },
        series: [{ name: labels.results, type: "bar", data: col(rows, "results") }]
      }, rows);
    },
    grades: function (el) {
      var rows = data.grades;
      draw(el, {
        grid: { left: 100, right: 24, top: 16, bottom: 24 }, tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.grade; }) },
        series: [{ name: labels.graded, type: "bar", data: col(rows, "results") }]
      }, rows);
    }
  };

  document.querySelectorAll("[data-dashboard-chart]").forEach(function (el) {
    var build = builders[el.dataset.dashboardChart];
    if (build) { build(el); }
  });

  function resize() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (el) {
    el.addEventListener("shown.bs.tab", resize);
  });
  document.body.dataset.dashboard = "ready";
})();
