// Dashboard charts (Apache ECharts): the data comes from the page's JSON block, never from inline script.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var metric = data[node.getAttribute("data-metric")];
      if (!metric) { return; }
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      var percent = function (v) { return metric.rate ? Math.round(v * 1000) / 10 + "%" : v; };
      if (node.getAttribute("data-chart") === "trend") {
        var band = [];
        if (metric.low !== null || metric.high !== null) {
          band = [[{ yAxis: metric.low === null ? "min" : metric.low }, { yAxis: metric.high === null ? "max" : metric.high }]];
        }
        chart.setOption({
          grid: { left: 48, right: 12, top: 12, bottom: 28 },
          tooltip: { trigger: "axis", valueFormatter: percent },
          xAxis: { type: "category", data: metric.trend.map(function (p) { return p[0]; }) },
          yAxis: { type: "value", axisLabel: { formatter: percent } },
          series: [{ type: "line", connectNulls: false, data: metric.trend.map(function (p) { return p[1]; }),
                     markArea: { silent: true, itemStyle: { color: "rgba(47,111,79,0.12)" }, data: band } }]
        });
      } else {
        chart.setOption({
          grid: { left: 36, right: 8, top: 8, bottom: 36 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: metric.histogram.map(function (b) { return b[0]; }), axisLabel: { fontSize: 9 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "bar", data: metric.histogram.map(function (b) { return b[1]; }) }]
        });
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
