/* Dashboard charts (Chart.js, vendored under static/vendor/chartjs): drawn from the same numbers as the tables beside
   them (the JSON in #dashboard-data). No animation, so a chart is complete at once on screen and on paper. */
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const text = data.text;
  const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000"];
  const number = new Intl.NumberFormat("id-ID");

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#212529";

  function fitHeight(canvas) {
    // Horizontal bars need room per label: grow the box with the number of rows.
    const box = canvas.parentElement;
    const rows = parseInt(box.dataset.rows || "0", 10);
    const perRow = parseInt(box.dataset.perRow || "1", 10);
    if (rows) box.style.height = Math.max(12, 4 + rows * (0.6 + 0.45 * perRow)) + "rem";
  }

  function short(label, max) {
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }

  function barChart(id, labels, datasets, options) {
    const canvas = document.getElementById(id);
    if (!canvas || !labels.length) return null;
    fitHeight(canvas);
    const chosen = Object.assign({ indexAxis: "y", plugins: { legend: { position: "bottom" } } }, options || {});
    // Every area keeps its label: Chart.js would otherwise drop every other name when rows are tight.
    chosen.scales = Object.assign({}, chosen.scales);
    chosen.scales.y = Object.assign({}, chosen.scales.y, { ticks: Object.assign({ autoSkip: false }, (chosen.scales.y || {}).ticks) });
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels.map((l) => short(l, 28)), datasets: datasets },
      options: chosen,
    });
  }

  const percentAxis = {
    scales: { x: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
    plugins: {
      legend: { position: "bottom" },
      tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + (c.raw === null ? "—" : c.raw + "%") } },
    },
  };
  const c = data.completeness;
  barChart("grafik-kelengkapan", c.labels, [
    { label: text.submitted, data: c.submitted, backgroundColor: palette[0] },
    { label: text.on_time, data: c.on_time, backgroundColor: palette[2] },
    { label: text.verified, data: c.verified, backgroundColor: palette[1] },
  ], percentAxis);

  const v = data.coverage;
  barChart("grafik-cakupan", v.labels, [
    { label: text.with_tksk, data: v.with, backgroundColor: palette[2] },
    { label: text.without_tksk, data: v.without, backgroundColor: "#C9CED4" },
  ], { scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } });

  const p = data.categories;
  barChart("grafik-pmks", p.labels, [{ label: text.total, data: p.values, backgroundColor: palette[0] }], {
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { label: (ctx) => (ctx.raw === null ? "—" : number.format(ctx.raw)) } },
    },
    scales: { x: { ticks: { callback: (value) => number.format(value) } } },
  });

  const t = data.trend;
  const trendCanvas = document.getElementById("grafik-tren");
  if (trendCanvas && t.series.length) {
    new Chart(trendCanvas, {
      type: "line",
      data: {
        labels: t.labels,
        datasets: t.series.map((s, i) => ({
          label: short(s.label, 34),
          data: s.values,
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          borderDash: i % 2 ? [6, 3] : [],  // dashes tell lines apart on a black-and-white printout
          pointStyle: ["circle", "rect", "triangle", "rectRot", "star", "crossRot"][i % 6],
          pointRadius: 3,
          spanGaps: false,
        })),
      },
      options: {
        plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
        scales: { y: { beginAtZero: true, ticks: { callback: (value) => number.format(value) } } },
      },
    });
  }

  // On paper the charts are redrawn for the width of an A4 landscape page (the screen layout is still in force
  // when beforeprint fires, so the size is given), and the number tables under them are printed too.
  const PRINT_WIDTH = 960;
  let opened = [];
  function beforePrint() {
    opened = Array.from(document.querySelectorAll("details.chart-data:not([open])"));
    opened.forEach((details) => { details.open = true; });
    Object.values(Chart.instances).forEach((chart) => {
      chart.resize(PRINT_WIDTH, Math.min(chart.canvas.parentElement.clientHeight, 620));
    });
  }
  function afterPrint() {
    opened.forEach((details) => { details.open = false; });
    opened = [];
    Object.values(Chart.instances).forEach((chart) => chart.resize());
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
})();
