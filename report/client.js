// The report page's script (report.html and the live dashboard share it). It reads the run's data
// from <script type="application/json" id="report-data"> and builds the page with DOM calls only:
// every string from the run (names, URLs, errors, check names) becomes a text node, never markup.
// With a data-events attribute on <body> it follows the live run over Server-Sent Events.
/* global uPlot */
(function () {
  'use strict';
  var charts = [];
  var root = document.getElementById('app');

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function add(parent, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { add(parent, x); }); return; }
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  function num(v, digits) {
    if (v === undefined || v === null || !isFinite(v)) return '–';
    var d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) : digits;
    return Number(v).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function ms(v) { return v === undefined || v === null ? '–' : num(v) + ' ms'; }
  function pct(v) { return v === undefined || v === null ? '–' : num(v * 100, 2) + ' %'; }
  function metric(d, name) { return (d.metrics && d.metrics[name]) || null; }
  function val(d, name, key) { var m = metric(d, name); return m && m.values ? m.values[key] : undefined; }
  function section(title, id) { return el('section', { id: id }, el('h2', null, title)); }

  function table(head, rows, cls) {
    return el('table', { class: cls || null },
      el('thead', null, el('tr', null, head.map(function (h) { return el('th', null, h); }))),
      el('tbody', null, rows.map(function (r) {
        return el('tr', { class: r.cls || null }, r.cells.map(function (c) { return el('td', null, c); }));
      })));
  }

  function percentile(pairs, p) {
    var n = 0, i;
    for (i = 1; i < pairs.length; i += 2) n += pairs[i];
    if (!n) return null;
    var rank = Math.round(p * (n - 1)), seen = 0;
    for (i = 0; i < pairs.length; i += 2) {
      seen += pairs[i + 1];
      if (rank < seen) return pairs[i] === -100000 ? 0 : Math.exp((pairs[i] - 0.5) * Math.log(1.01));
    }
    return null;
  }

  function verdict(d) {
    var failing = d.thresholds.filter(function (t) { return !t.ok; }).length;
    var text = d.live ? 'RUNNING' : d.passed ? 'PASSED' : 'FAILED';
    var detail = d.live ? d.thresholds.length + ' thresholds, judged at the end' : d.thresholds.length === 0 ? 'no thresholds' : failing === 0 ? 'all ' + d.thresholds.length + ' thresholds hold' : failing + ' of ' + d.thresholds.length + ' thresholds crossed';
    if (d.baseline) detail += ' · baseline: ' + d.baseline.verdict;
    return el('div', { id: 'verdict', class: 'verdict ' + (d.live ? 'live' : d.passed ? 'pass' : 'fail') },
      el('span', { class: 'verdict-word' }, text), el('span', { class: 'verdict-detail' }, detail));
  }

  function metaList(d) {
    var m = d.meta || {};
    var items = [
      ['started', m.startedAt || new Date(d.startMs).toISOString()],
      ['ended', m.endedAt || (d.live ? '(running)' : new Date(d.endMs).toISOString())],
      ['duration', num(d.durationMs / 1000, 1) + ' s'],
      ['scenario', m.scenario], ['profile', m.profile], ['target', m.baseUrl],
      ['exit code', m.exitCode !== undefined ? String(m.exitCode) + (m.exitReason ? ' (' + m.exitReason + ')' : '') : undefined],
      ['commit', m.gitCommit], ['engine', m.engineVersion],
    ];
    return el('dl', { class: 'meta' }, items.filter(function (x) { return x[1] !== undefined && x[1] !== null && x[1] !== ''; })
      .map(function (x) { return [el('dt', null, x[0]), el('dd', null, String(x[1]))]; }));
  }

  function keyNumbers(d) {
    var cards = [
      ['requests', num(val(d, 'http_reqs', 'count'), 0), num(val(d, 'http_reqs', 'rate')) + ' /s'],
      ['median', ms(val(d, 'http_req_duration', 'med')), 'http_req_duration'],
      ['p(95)', ms(val(d, 'http_req_duration', 'p(95)')), 'http_req_duration'],
      ['failed', pct(val(d, 'http_req_failed', 'rate')), 'http_req_failed'],
      ['checks', pct(val(d, 'checks', 'rate')), num(val(d, 'checks', 'passes'), 0) + ' passed'],
      ['iterations', num(val(d, 'iterations', 'count'), 0), num(val(d, 'dropped_iterations', 'count') || 0, 0) + ' dropped'],
      ['VUs', num(val(d, 'vus_max', 'max'), 0), 'max'],
    ];
    return el('div', { class: 'cards' }, cards.map(function (c) {
      return el('div', { class: 'card' }, el('div', { class: 'card-label' }, c[0]), el('div', { class: 'card-value' }, c[1]), el('div', { class: 'card-sub' }, c[2]));
    }));
  }

  function thresholdTable(d) {
    var s = section('Thresholds', 'thresholds');
    if (!d.thresholds.length) { add(s, el('p', null, 'This run has no thresholds.')); return s; }
    add(s, table(['metric', 'criterion', 'measured', 'result'], d.thresholds.map(function (t) {
      if (t.pending) return { cells: [t.metric, t.source, '–', 'judged at the end'] };
      return { cls: t.ok ? 'ok' : 'bad', cells: [t.metric, t.source, t.value === undefined ? 'no samples' : num(t.value), t.ok ? 'pass' : 'FAIL'] };
    })));
    return s;
  }

  // --- charts ---------------------------------------------------------------------------------
  var palette = ['#2f7ed8', '#e8590c', '#2b9348', '#c2255c', '#7048e8', '#e67700', '#0b7285', '#5c940d'];
  function color(i) { return palette[i % palette.length]; }

  // Axis text and grid lines in a mid grey with enough contrast on the light page, the dark page
  // and paper alike: a canvas does not follow CSS colours, so one set serves every scheme.
  var axisInk = '#767676', gridInk = 'rgba(128,128,128,0.22)';
  function chart(parent, title, xs, series, unit) {
    var points = 0;
    series.forEach(function (s) { s.data.forEach(function (v) { if (v !== null && v !== undefined) points++; }); });
    if (!points) return;
    var box = el('div', { class: 'chart', 'data-points': points, 'data-title': title });
    add(parent, box);
    var opts = {
      title: title, width: chartWidth(box), height: 220,
      // y from 0 (a bump must not look like a cliff); percentages stop at 100
      scales: { x: { time: true }, y: { range: function (u, min, max) { var top = max > 0 ? max * 1.1 : 1; return [Math.min(0, min), unit === '%' ? Math.min(100, top) : top]; } } },
      axes: [
        { stroke: axisInk, grid: { stroke: gridInk }, ticks: { stroke: gridInk } },
        { stroke: axisInk, grid: { stroke: gridInk }, ticks: { stroke: gridInk }, size: 78, values: function (u, v) { return v.map(function (x) { return num(x) + (unit ? ' ' + unit : ''); }); } },
      ],
      series: [{}].concat(series.map(function (s, i) {
        return { label: s.label, stroke: s.color || color(i), width: 1.5, spanGaps: false, points: { show: s.data.length < 60 || hasLoneValues(s.data) } };
      })),
      legend: { live: true },
    };
    var data = [xs].concat(series.map(function (s) { return s.data; }));
    charts.push({ plot: new uPlot(opts, data, box), box: box });
  }

  // A value with no neighbour (a dropped iteration in one interval, a gauge set once) draws no line:
  // such a series shows its points.
  function hasLoneValues(data) {
    for (var i = 0; i < data.length; i++) {
      if (data[i] !== null && data[i] !== undefined && (i === 0 || data[i - 1] === null) && (i === data.length - 1 || data[i + 1] === null)) return true;
    }
    return false;
  }

  // A chart is as wide as its box (less the box's padding), so it fits the window, a narrow
  // screen and the printed page; fitCharts() runs again when any of those change.
  function chartWidth(box) {
    var cs = window.getComputedStyle(box);
    var inner = box.clientWidth - parseFloat(cs.paddingLeft || '0') - parseFloat(cs.paddingRight || '0');
    return Math.max(200, Math.floor(inner || 560));
  }
  function fitCharts() {
    charts.forEach(function (c) {
      var w = chartWidth(c.box);
      if (Math.abs(w - c.plot.width) > 1) c.plot.setSize({ width: w, height: 220 });
    });
  }
  var fitTimer = null;
  window.addEventListener('resize', function () { clearTimeout(fitTimer); fitTimer = setTimeout(fitCharts, 100); });
  window.addEventListener('beforeprint', fitCharts);
  window.addEventListener('afterprint', fitCharts);
  if (window.matchMedia) window.matchMedia('print').addEventListener('change', fitCharts);

  function charts_(d) {
    var s = section('Over time', 'charts');
    var sr = d.series, xs = sr.t.map(function (t) { return t / 1000; }), c = sr.cols;
    var grid = el('div', { class: 'grid' });
    add(s, el('p', { class: 'note' }, 'One point per ' + num(sr.bucketMs / 1000, sr.bucketMs % 1000 ? 1 : 0) + ' s. The numbers above are exact end-of-test values; the charts are per interval.'));
    add(s, grid);
    chart(grid, 'Virtual users', xs, [{ label: 'VUs', data: c.vus }, { label: 'VUs max', data: c.vus_max }], '');
    chart(grid, 'Requests per second', xs, [{ label: 'req/s', data: c.reqs }], '/s');
    chart(grid, 'Response time (http_req_duration)', xs, [{ label: 'p50', data: c.p50 }, { label: 'p95', data: c.p95 }, { label: 'p99', data: c.p99 }], 'ms');
    chart(grid, 'Failed requests', xs, [{ label: 'http_req_failed %', data: c.errors, color: '#e03131' }], '%');
    chart(grid, 'Checks passed', xs, [{ label: 'checks %', data: c.checks, color: '#2b9348' }], '%');
    chart(grid, 'Dropped iterations', xs, [{ label: 'dropped per interval', data: c.dropped, color: '#e67700' }], '');
    chart(grid, 'Iterations per second', xs, [{ label: 'iterations/s', data: c.iterations }], '/s');
    var names = Object.keys(sr.scenarios || {});
    if (names.length > 1) {
      [['reqs', 'Requests per second by scenario', '/s'], ['p95', 'p95 response time by scenario', 'ms'], ['errors', 'Failed requests by scenario', '%']].forEach(function (k) {
        chart(grid, k[1], xs, names.map(function (n) { return { label: n, data: sr.scenarios[n][k[0]] }; }), k[2]);
      });
    }
    return s;
  }

  var wmsCustom = ['target_memory_rss_mb', 'target_memory_growth_mb_per_hour', 'recovery_time', 'response_time_cached', 'response_time_database', 'db_query_duration'];
  function wmsSection(d) {
    var cu = d.series.custom || {}, present = wmsCustom.filter(function (n) { return cu[n] || metric(d, n); });
    var others = Object.keys(cu).filter(function (n) { return wmsCustom.indexOf(n) < 0; });
    if (!present.length && !others.length) return null;
    var s = section('AetosWMS measures', 'wms');
    var xs = d.series.t.map(function (t) { return t / 1000; });
    var facts = [];
    var slope = val(d, 'target_memory_growth_mb_per_hour', 'value');
    if (slope !== undefined) facts.push(['memory leak slope (Theil–Sen)', num(slope) + ' MB/h']);
    var rec = val(d, 'recovery_time', 'value');
    if (rec !== undefined) facts.push(['recovery time after the stress peak', num(rec) + ' s']);
    [['response_time_cached', 'cached reads p(95)'], ['response_time_database', 'database-bound p(95)'], ['db_query_duration', 'db_query_duration p(95)']].forEach(function (x) {
      var v = val(d, x[0], 'p(95)');
      if (v !== undefined) facts.push([x[1], ms(v)]);
    });
    if (facts.length) add(s, el('dl', { class: 'meta' }, facts.map(function (f) { return [el('dt', null, f[0]), el('dd', null, f[1])]; })));
    var grid = el('div', { class: 'grid' });
    add(s, grid);
    function col(n, k) { return cu[n] && cu[n].cols[k] ? cu[n].cols[k] : []; }
    chart(grid, 'Target memory (RSS)', xs, [{ label: 'MB', data: col('target_memory_rss_mb', 'value') }], 'MB');
    chart(grid, 'Memory growth estimate', xs, [{ label: 'MB/h', data: col('target_memory_growth_mb_per_hour', 'value') }], 'MB/h');
    chart(grid, 'Recovery time', xs, [{ label: 's', data: col('recovery_time', 'value') }], 's');
    chart(grid, 'Cached vs database-bound p95', xs, [{ label: 'cached p95', data: col('response_time_cached', 'p95') }, { label: 'database p95', data: col('response_time_database', 'p95') }], 'ms');
    chart(grid, 'db_query_duration', xs, [{ label: 'p50', data: col('db_query_duration', 'p50') }, { label: 'p95', data: col('db_query_duration', 'p95') }], 'ms');
    others.forEach(function (n) {
      var m = cu[n], keys = Object.keys(m.cols), unit = m.contains === 'time' ? 'ms' : m.type === 'rate' ? '%' : '';
      chart(grid, n, xs, keys.map(function (k) { return { label: k, data: m.cols[k] }; }), unit);
    });
    return s;
  }

  function requestsTable(d) {
    var s = section('Requests by name', 'requests');
    if (!d.requests.length) { add(s, el('p', null, 'No HTTP requests.')); return s; }
    var secs = Math.max(d.durationMs, 1) / 1000;
    add(s, table(['name', 'count', 'rate', 'p50', 'p95', 'p99', 'errors', 'top error codes'], d.requests.map(function (r) {
      var err = r.failedOf ? r.failed / r.failedOf : 0;
      return {
        cls: err > 0 ? 'warn' : null,
        cells: [r.name, num(r.count, 0), num(r.count / secs) + ' /s', ms(percentile(r.durations, 0.5)), ms(percentile(r.durations, 0.95)), ms(percentile(r.durations, 0.99)), pct(err),
          r.errors.map(function (e) { return e[0] + ' ×' + e[1]; }).join(', ')],
      };
    })));
    add(s, el('p', { class: 'note' }, 'Per-name percentiles are read from 1 %-wide histogram bins.'));
    return s;
  }

  function checkTree(d) {
    var s = section('Groups and checks', 'checks');
    function node(g) {
      var items = [];
      g.checks.forEach(function (c) {
        var total = c.passes + c.fails;
        items.push(el('li', { class: c.fails ? 'bad' : 'ok' }, el('span', { class: 'mark' }, c.fails ? '✗ ' : '✓ '), c.name,
          el('span', { class: 'counts' }, ' ' + c.passes + ' passed, ' + c.fails + ' failed' + (total ? ' (' + num(100 * c.passes / total, 1) + ' %)' : ''))));
      });
      g.groups.forEach(function (sub) { items.push(el('li', { class: 'group' }, el('strong', null, '▸ ' + sub.name), node(sub))); });
      return el('ul', { class: 'tree' }, items);
    }
    if (!d.checks || (!d.checks.checks.length && !d.checks.groups.length)) add(s, el('p', null, 'No groups or checks.'));
    else add(s, node(d.checks));
    return s;
  }

  function monitorSection(d) {
    if (!d.monitor) return null;
    var s = section('Monitor alerts', 'monitor');
    var m = d.monitor;
    add(s, el('p', null, (m.target ? m.target + ': ' : '') + (m.polls || 0) + ' polls' + (m.uptimePercent !== undefined ? ', uptime ' + num(m.uptimePercent, 1) + ' %' : '') + ', ' + m.alerts.length + ' alert events.'));
    if (m.alerts.length) add(s, table(['at', 'state', 'severity', 'rule', 'metric', 'value', 'threshold', 'message'], m.alerts.map(function (a) {
      return { cls: a.state === 'firing' ? 'bad' : 'ok', cells: [a.at, a.state, a.severity, a.rule, a.metric, num(a.value), num(a.threshold), a.message] };
    })));
    return s;
  }

  function baselineSection(d) {
    if (!d.baseline) return null;
    var b = d.baseline;
    var s = section('Compared with the baseline', 'baseline');
    add(s, el('p', { class: 'baseline-verdict ' + (b.failed ? 'bad' : 'ok') }, b.verdict));
    add(s, el('p', { class: 'note' }, 'baseline: ' + b.a.label + ' · this run: ' + b.b.label + (b.rules.length ? ' · rules: ' + b.rules.join(', ') : '')));
    add(s, compareTable(b));
    return s;
  }

  function signed(v, unit) { return v === null || v === undefined ? '–' : (v > 0 ? '+' : '') + num(v) + unit; }
  function compareTable(b) {
    return table(['request', 'requests a → b', 'p50 a → b', 'p95 a → b', 'p99 a → b', 'errors a → b', 'throughput a → b', 'verdict'], b.rows.map(function (r) {
      return {
        cls: r.tripped.length ? 'bad' : /beyond noise/.test(r.verdict) ? 'warn' : null,
        cells: [r.name, num(r.a.count, 0) + ' → ' + num(r.b.count, 0),
          ms(r.a.p50) + ' → ' + ms(r.b.p50) + ' (' + signed(r.change.p50, ' %') + ')',
          ms(r.a.p95) + ' → ' + ms(r.b.p95) + ' (' + signed(r.change.p95, ' %') + ')',
          ms(r.a.p99) + ' → ' + ms(r.b.p99) + ' (' + signed(r.change.p99, ' %') + ')',
          pct(r.a.errorRate) + ' → ' + pct(r.b.errorRate),
          num(r.a.rps) + ' → ' + num(r.b.rps) + ' /s',
          r.verdict + (r.tripped.length ? ' — fails ' + r.tripped.join(', ') : '')],
      };
    }));
  }

  function renderReport(d) {
    charts.forEach(function (c) { c.plot.destroy(); });
    charts = [];
    while (root.firstChild) root.removeChild(root.firstChild);
    document.title = d.title + (d.live ? ' (live)' : '');
    add(root, el('header', null, el('h1', null, d.title), verdict(d), metaList(d)));
    // the load generator was the bottleneck: its latencies are not all the target's (engine/metrics/generator.ts)
    if (d.generator) add(root, el('p', { id: 'generator', class: 'generator' }, d.generator));
    add(root, keyNumbers(d));
    add(root, thresholdTable(d));
    add(root, baselineSection(d));
    add(root, charts_(d));
    add(root, wmsSection(d));
    add(root, requestsTable(d));
    add(root, checkTree(d));
    add(root, monitorSection(d));
    fitCharts(); // the boxes have their width only now that they are in the page
  }

  function renderCompare(c) {
    while (root.firstChild) root.removeChild(root.firstChild);
    var worse = /slower|more errors/.test(c.verdict);
    var word = c.failed ? 'REGRESSION' : worse ? 'SLOWER' : /beyond noise/.test(c.verdict) ? 'BETTER' : 'NO CHANGE';
    add(root, el('header', null, el('h1', null, 'Comparison'),
      el('div', { id: 'verdict', class: 'verdict ' + (c.failed ? 'fail' : worse ? 'warn' : 'pass') }, el('span', { class: 'verdict-word' }, word), el('span', { class: 'verdict-detail' }, c.verdict)),
      el('dl', { class: 'meta' }, [el('dt', null, 'a (baseline)'), el('dd', null, c.a.label), el('dt', null, 'b'), el('dd', null, c.b.label),
        el('dt', null, 'rules'), el('dd', null, c.rules.length ? c.rules.join(', ') : 'none')])));
    var s = section('What changed', 'compare');
    add(s, compareTable(c));
    add(s, el('p', { class: 'note' }, c.method));
    add(root, s);
  }

  var dataNode = document.getElementById('report-data');
  var initial = JSON.parse(dataNode.textContent);
  var render = initial.kind === 'comparison' ? renderCompare : renderReport;
  render(initial);
  var events = document.body.getAttribute('data-events');
  if (events && window.EventSource) {
    var src = new EventSource(events);
    src.onmessage = function (e) {
      initial = JSON.parse(e.data);
      render(initial);
      document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || '0') + 1));
      if (!initial.live) src.close();
    };
  }
})();
