// Dashboard charts (Apache ECharts): the data comes from the page's JSON block, never from inline script.
// Each value reads by its metric's kind (rates as percentages, days as days); both axes are named.
(function () {
  "use strict";
  function formatter(metric) {
    return function (v) {
      if (v === null || v === undefined || v === "-") { return "—"; }
      if (metric.kind === "rate") { return (Math.round(v * 1000) / 10) + "%"; }
      if (metric.kind === "count") { return Math.round(v).toLocaleString(); }
      if (metric.kind === "days") { return (Math.round(v * 10) / 10).toLocaleString(); }
      return (Math.round(v * 100) / 100).toString();
    };
  }
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var metric = data[node.getAttribute("data-metric")];
      if (!metric) { return; }
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      var format = formatter(metric);
      var axisName = { fontSize: 11, color: "#616e7c" };
      if (node.getAttribute("data-chart") === "trend") {
        var band = [];
        if (metric.low !== null || metric.high !== null) {
          band = [[{ yAxis: metric.low === null ? "min" : metric.low }, { yAxis: metric.high === null ? "max" : metric.high }]];
        }
        chart.setOption({
          grid: { left: 56, right: 16, top: 28, bottom: 40 },
          tooltip: { trigger: "axis", valueFormatter: format },
          xAxis: { type: "category", name: metric.month, nameLocation: "middle", nameGap: 26, nameTextStyle: axisName,
                   data: metric.trend.map(function (p) { return p[0].slice(2); }) },
          yAxis: { type: "value", name: metric.unit, nameTextStyle: axisName, axisLabel: { formatter: format } },
          series: [{ type: "line", connectNulls: false, data: metric.trend.map(function (p) { return p[1]; }),
                     markArea: { silent: true, itemStyle: { color: "rgba(47,111,79,0.12)" }, data: band } }]
        });
      } else {
        chart.setOption({
          grid: { left: 44, right: 12, top: 28, bottom: 48 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", name: metric.band, nameLocation: "middle", nameGap: 32, nameTextStyle: axisName,
                   data: metric.histogram.map(function (b) { return b[0]; }), axisLabel: { fontSize: 10, hideOverlap: true } },
          yAxis: { type: "value", name: metric.officers, nameTextStyle: axisName, minInterval: 1 },
          series: [{ type: "bar", data: metric.histogram.map(function (b) { return b[1]; }) }]
        });
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
