/* QC Portal front-end behaviour. No inline scripts anywhere (Content Security Policy). */
(function () {
  "use strict";

  /* Report runs: poll the API for every unfinished run on the page and update its bar. */
  function updateRun(el, data) {
    var bar = el.querySelector('[data-role="bar"]');
    var label = el.querySelector('[data-role="label"]');
    var download = el.querySelector('[data-role="download"]');
    var error = el.querySelector('[data-role="error"]');
    var progress = data.progress || 0;
    bar.style.width = progress + "%";
    bar.textContent = progress + "%";
    el.querySelector(".progress").setAttribute("aria-valuenow", progress);
    label.textContent = data.status_display;
    el.dataset.status = data.status;
    if (data.status === "succeeded") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add("bg-success");
      download.classList.remove("d-none");
    } else if (data.status === "failed") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add("bg-danger");
      error.textContent = data.error;
      error.classList.remove("d-none");
    }
  }

  function finished(el) {
    return el.dataset.status === "succeeded" || el.dataset.status === "failed";
  }

  function poll(el) {
    if (finished(el)) { return; }
    fetch(el.dataset.runUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { updateRun(el, data); }
        if (!finished(el)) { window.setTimeout(function () { poll(el); }, 1000); }
      })
      .catch(function () { window.setTimeout(function () { poll(el); }, 3000); });
  }

  document.querySelectorAll(".run-status").forEach(function (el) {
    var bar = el.querySelector('[data-role="bar"]');
    bar.style.width = (el.dataset.progress || 0) + "%";
    poll(el);
  });

  /* Charts: ECharts bar charts fed by json_script blocks.
     data-source: id of the json_script (a list of rows); data-x / data-y: the row keys of the
     category and the value; data-series: the series name; data-empty: the translated text shown
     instead of the chart when there are no rows (「暂无数据」); data-integer: the values are
     counts (the default), so the value axis never shows fractions (minInterval 1) — set
     data-integer="false" for amounts or rates. */
  if (window.echarts) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var rows = JSON.parse(source.textContent);
      if (!Array.isArray(rows) || rows.length === 0) {
        el.classList.add("chart-empty");
        el.textContent = el.dataset.empty || "";
        return;
      }
      var valueAxis = { type: "value" };
      if (el.dataset.integer !== "false") { valueAxis.minInterval = 1; }
      var chart = window.echarts.init(el);
      chart.setOption({
        grid: { left: 48, right: 16, top: 24, bottom: 32 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: rows.map(function (r) { return String(r[el.dataset.x]); }) },
        yAxis: valueAxis,
        series: [{ name: el.dataset.series, type: "bar", data: rows.map(function (r) { return r[el.dataset.y]; }), itemStyle: { color: "#0d6efd" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
})();
