// The city dashboard: draws the time series with uPlot from the JSON the page embeds, keeps the
// charts as wide as their boxes, and sorts the district table by any column (click or Enter).
(function () {
  'use strict';
  var COLOURS = {
    check_ins: '#1a5fb4', check_ins_7d_avg: '#e66100', green: '#1b7f3b', yellow: '#b58900', red: '#c62828',
    declarations: '#1a5fb4', symptomatic: '#c62828', clock_ins: '#5f6368', passages_allowed: '#1b7f3b',
    passages_denied: '#c62828', cases_confirmed: '#000000', exposed_close: '#8e44ad',
  };
  // The first line of a chart is solid, the next ones dashed, dotted, dash-dotted.
  var DASHES = [undefined, [10, 5], [2, 4], [12, 4, 2, 4]];
  // The legend marker's border style for each: the closest CSS has to each pattern.
  var MARKERS = ['solid', 'dashed', 'dotted', 'double'];
  var holder = document.getElementById('stats-data');
  var data = JSON.parse(holder.dataset.stats);
  var dayLabel = holder.dataset.dayLabel || 'Day';
  // Days at UTC midnight, drawn in UTC so a day never slides into its neighbour.
  var xs = data.days.map(function (d) { return Date.parse(d + 'T00:00:00Z') / 1000; });
  var plots = [];

  function height() { return window.innerWidth < 600 ? 180 : 220; }

  document.querySelectorAll('[data-series]').forEach(function (box) {
    if (typeof uPlot === 'undefined') return;
    var names = box.getAttribute('data-series').split(',');
    var opts = {
      width: Math.max(box.clientWidth, 260),
      height: height(),
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      scales: { x: { time: true } },
      axes: [{}, { size: 48 }],
      // Lines differ by dash pattern as well as by colour, and the legend draws the same
      // pattern; it lists the names only (no "--" values waiting for a pointer).
      legend: { live: false, markers: { width: 3, dash: function (u, i) { return MARKERS[(i - 1) % MARKERS.length]; } } },
      series: [{ label: dayLabel }].concat(names.map(function (n, i) {
        return {
          label: data.labels[n] || n,
          stroke: COLOURS[n] || '#333',
          width: 2,
          dash: DASHES[i % DASHES.length],
          points: { show: xs.length < 40 },
        };
      })),
    };
    var columns = [xs].concat(names.map(function (n) { return data.series[n] || []; }));
    plots.push([new uPlot(opts, columns, box), box]);
  });
  document.body.setAttribute('data-charts', String(plots.length));

  var pending = null;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p[0].setSize({ width: Math.max(p[1].clientWidth, 260), height: height() }); });
    }, 100);
  });

  var table = document.getElementById('districts');
  if (!table) return;
  var heads = table.querySelectorAll('thead th');
  heads.forEach(function (th, col) {
    th.tabIndex = 0;
    var sort = function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var text = th.getAttribute('data-kind') === 'text';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        var order = text ? x.localeCompare(y) : parseFloat(x) - parseFloat(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
  });
})();
