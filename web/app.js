/* app.js: groklab's report page. One script for three pages: the index of the runs and sweeps `groklab serve`
 * found, a run's page (or several runs overlaid), and a sweep's page. Live (served: it polls the server and
 * appends only the new rows of metrics.csv) or frozen (report.html: the data are inlined in #gk-data).
 * Charts are uPlot's. window.gk exposes what the page shows, for the browser tests. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('gk-data').textContent);
  var app = document.getElementById('app');
  /* The figures' palette (src/fig/palette.c): blue, then red, so that train and test look as in the PNGs. */
  var PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22',
    '#17becf'];
  var FINAL = { completed: 1, interrupted: 1, diverged: 1, failed: 1 };
  var gk = window.gk = { charts: [], sources: [], status: '', ready: false, renderMs: null, timing: {} };
  /* Where a page's time goes (tests/serve_bench.py reads it): ms summed per kind of work. */
  function spent(kind, t0) { gk.timing[kind] = (gk.timing[kind] || 0) + performance.now() - t0; }
  gk.timing.scriptStartMs = performance.now();
  /* The points drawn in chart i: every series' non-missing values. */
  gk.points = function (i) {
    var u = gk.charts[i], n = 0;
    for (var k = 1; u && k < u.data.length; k++) for (var j = 0; j < u.data[k].length; j++) if (u.data[k][j] != null) n++;
    return n;
  };

  /* ---- small helpers -------------------------------------------------------------------------------- */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) e.appendChild(arguments[i]);
    return e;
  }
  function enc(s) { return encodeURIComponent(s); }
  function fileUrl(path, name) { return D.live ? '/f?p=' + enc(path + '/' + name) : name; }
  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function fmtNum(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v)) return String(v);
    if (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e');
    return String(+v.toPrecision(4));
  }
  /* A power of ten as the figures write it (10 with the exponent raised: 10⁻⁴), else fmtNum. */
  var SUPER = { '-': '\u207b', 0: '\u2070', 1: '\u00b9', 2: '\u00b2', 3: '\u00b3', 4: '\u2074', 5: '\u2075',
    6: '\u2076', 7: '\u2077', 8: '\u2078', 9: '\u2079' };
  function tickNum(v) {
    if (!(v > 0) || (v >= 1e-3 && v < 1e4)) return fmtNum(v);
    var e = Math.round(Math.log10(v));
    if (Math.abs(v / Math.pow(10, e) - 1) > 1e-9) return fmtNum(v);
    return '10' + String(e).split('').map(function (c) { return SUPER[c]; }).join('');
  }
  gk.tickNum = tickNum;
  /* Axis labels; log axes pass null for the ticks that get no label. */
  function tickLabels(u, vals) { return vals.map(function (v) { return v === null ? '' : tickNum(v); }); }
  /* Seconds in human units: 42 s, 3 min 20 s, 2 h 5 min, 1 d 3 h. */
  function fmtDuration(s) {
    if (!isFinite(s) || s < 0) return '—';
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.round((s % 86400) / 3600) + ' h';
  }
  function setStatus(s) {
    var st = document.getElementById('status');
    st.textContent = s;
    st.className = 'status ' + s;
    document.body.setAttribute('data-status', s);
    gk.status = s;
  }

  /* CSV with quoted fields (sweep.csv's error column): rows of strings. */
  function parseCSV(text) {
    var rows = [], row = [], f = '', q = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (q) {
        if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
      } else if (c === '"') q = true;
      else if (c === ',') { row.push(f); f = ''; }
      else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
      else if (c !== '\r') f += c;
    }
    if (f !== '' || row.length) { row.push(f); rows.push(row); }
    return rows;
  }

  /* ---- metrics.csv as columns of numbers, appended to as rows arrive --------------------------------- */
  /* Each column is a Float64Array with room to grow (NaN where a row has no value); col() gives the rows so far.
   * A served page holds only the columns it draws, sent as numbers by the server (/api/cols: no text to parse
   * here); report.html parses its inlined text once, every column in one pass. */
  function Table() { this.names = []; this.data = {}; this.n = 0; this.cap = 0; }
  Table.prototype.has = function (name) { return Object.prototype.hasOwnProperty.call(this.data, name); };
  Table.prototype.col = function (name) { return this.has(name) ? this.data[name].subarray(0, this.n) : null; };
  Table.prototype.grow = function (n) {
    if (n <= this.cap) return;
    var cap = Math.max(n, 2 * this.cap, 1024);
    for (var k in this.data) {
      var a = new Float64Array(cap);
      a.set(this.data[k].subarray(0, this.n));
      this.data[k] = a;
    }
    this.cap = cap;
  };
  /* A column not held yet, its rows [0, n) in blocks ({rows, cols: {name: values}}). */
  Table.prototype.addColumn = function (name, blocks) {
    var a = new Float64Array(Math.max(this.cap, 1)), at = 0;
    blocks.forEach(function (b) { a.set(b.cols[name], at); at += b.rows; });
    this.data[name] = a;
    this.cap = a.length;
  };
  /* A block of new rows: b.cols holds every column the table has. */
  Table.prototype.appendBlock = function (b) {
    this.grow(this.n + b.rows);
    for (var k in this.data) this.data[k].set(b.cols[k], this.n);
    this.n += b.rows;
  };
  /* report.html's inlined metrics.csv: every column, in one pass over the text. */
  Table.prototype.parseCSV = function (text) {
    var t0 = performance.now(), h = text.indexOf('\n');
    if (h < 0) return;
    this.names = text.slice(0, h).replace(/\r$/, '').split(',');
    var nf = this.names.length, rows = 0, cols = [], row = 0, f = 0, s = h + 1, self = this;
    for (var j = s; j < text.length; j++) if (text.charCodeAt(j) === 10) rows++;
    if (text.charCodeAt(text.length - 1) !== 10) rows++;
    for (var k = 0; k < nf; k++) cols.push(new Float64Array(rows).fill(NaN));
    for (var ls = s, i = s; i <= text.length; i++) {
      var ch = i < text.length ? text.charCodeAt(i) : 10;
      if (ch !== 44 && ch !== 10) continue;
      var e = ch === 10 && i > s && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
      if (f < nf && e > s && row < rows) cols[f][row] = +text.substring(s, e);
      s = i + 1;
      if (ch === 44) { f++; continue; }
      if (e > ls) row++;  /* a line with something on it */
      f = 0;
      ls = s;
    }
    this.names.forEach(function (n, k) { self.data[n] = cols[k]; });
    this.n = Math.min(row, rows);
    this.cap = rows;
    spent('parseMs', t0);
  };

  /* ---- one run: its rows, summary, config, figures, status ----------------------------------------- */
  var BASE_COLUMNS = ['step', 'train_acc', 'test_acc'];  /* x and the live markers */
  var allPanels = [];  /* every chart on the page */
  function RunSource(spec) {
    this.path = spec.path;
    this.name = spec.name || spec.path;
    this.t = new Table();
    this.offset = 0;
    this.summary = spec.summary || null;
    this.config = spec.config || null;
    this.figures = spec.figures || [];
    this.labels = spec.labels || {};  /* column -> its words, as the PNG figures name it (sent by groklab) */
    this.status = spec.status || (this.summary && this.summary.status) || 'unknown';
    this.samples = [];  /* [wall ms, step] when rows arrived: the speed */
    this.chain = Promise.resolve();
    if (spec.csv) this.t.parseCSV(spec.csv);
  }
  /* Runs f once this source's earlier fetches are done: one at a time, so the rows stay in order. */
  RunSource.prototype.queue = function (f) {
    var p = this.chain.then(f);
    this.chain = p.catch(function () {});
    return p;
  };
  /* The columns this run's rows are wanted for: x, the markers' and those the panels showing it draw. */
  RunSource.prototype.wanted = function () {
    var out = BASE_COLUMNS.slice(), self = this;
    allPanels.forEach(function (p) {
      if (p.sources.indexOf(self) < 0) return;
      p.selection().concat(p.xkey === 'time' ? ['time'] : []).forEach(function (c) {
        if (out.indexOf(c) < 0) out.push(c);
      });
    });
    return out.filter(function (c) { return self.t.names.indexOf(c) >= 0; });
  };
  RunSource.prototype.reset = function () {
    var names = this.t.names;
    this.t = new Table();
    this.t.names = names;
    this.offset = 0;
  };
  /* The named columns of the rows from byte `from` (to byte `end`, if given): {rows, next, cols}, or null when
   * the file is now shorter than from (it was replaced). */
  RunSource.prototype.fetchCols = function (names, from, end) {
    var t0 = performance.now();
    var url = '/api/cols?p=' + enc(this.path) + '&offset=' + from + (end === undefined ? '' : '&end=' + end) +
      '&cols=' + names.map(enc).join(',');
    return fetch(url).then(function (r) {
      if (r.status === 409) return null;
      if (!r.ok) throw new Error('cols: HTTP ' + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      spent('fetchMs', t0);
      if (!buf) return null;
      var a = new Float64Array(buf), rows = a[0], out = {};
      names.forEach(function (n, k) { out[n] = a.subarray(2 + k * rows, 2 + (k + 1) * rows); });
      return { rows: rows, next: a[1], cols: out };
    });
  };
  /* Fetches the rows it has of the wanted columns it does not hold yet. Resolves to whether it got any. */
  RunSource.prototype.backfill = function () {
    var self = this, t = this.t, blocks = [], at = 0;
    var miss = this.wanted().filter(function (c) { return !t.has(c); });
    if (!miss.length || !D.live) return Promise.resolve(false);
    if (!t.n) { miss.forEach(function (c) { t.addColumn(c, []); }); return Promise.resolve(false); }
    function more(from) {
      return self.fetchCols(miss, from, self.offset).then(function (b) {
        if (!b) { self.reset(); return true; }
        blocks.push(b);
        at += b.rows;
        if (b.next < self.offset && b.rows > 0) return more(b.next);
        if (at !== t.n) { self.reset(); return true; }  /* the rows do not line up: start again */
        miss.forEach(function (c) { t.addColumn(c, blocks); });
        return true;
      });
    }
    return more(0);
  };
  /* Fetches the rows after the ones it has, up to size bytes, in as many requests as the server's bound asks. */
  RunSource.prototype.fetchRows = function (size) {
    var self = this, names = Object.keys(this.t.data);
    if (size <= this.offset || !names.length) return Promise.resolve(false);
    return this.fetchCols(names, this.offset).then(function (b) {
      if (!b) { self.reset(); return true; }
      if (b.next <= self.offset) return false;
      self.t.appendBlock(b);
      self.offset = b.next;
      var st = self.t.col('step');
      if (st && st.length) self.samples.push([Date.now(), st[st.length - 1]]);
      return self.fetchRows(size).then(function () { return true; });
    });
  };
  /* Fetches the run's state and the rows after the ones it has. Resolves to whether anything changed. */
  RunSource.prototype.poll = function () {
    var self = this;
    return this.queue(function () {
      var t0 = performance.now();
      return getJSON('/api/run?p=' + enc(self.path)).then(function (m) {
        spent('metaMs', t0);
        var changed = m.status !== self.status || (!self.summary && m.summary);
        self.status = m.status; self.summary = m.summary; self.config = m.config; self.figures = m.figures;
        self.labels = m.labels || self.labels;
        if (m.size < self.offset || (m.columns || []).join(',') !== self.t.names.join(',')) {
          self.reset();
          self.t.names = m.columns || [];
          changed = true;
        }
        return self.backfill().then(function (b) {
          return self.fetchRows(m.size).then(function (got) { return changed || b || got; });
        });
      });
    });
  };
  /* After the panels' choice of columns changed: fetches those it lacks. */
  RunSource.prototype.need = function () {
    var self = this;
    return this.queue(function () { return self.backfill(); });
  };
  /* A column in words ("train accuracy"), as the figures name it; the name itself when groklab sent none. */
  RunSource.prototype.label = function (c) { return this.labels[c] || c; };
  RunSource.prototype.lastStep = function () {
    var st = this.t.col('step');
    return st && st.length ? st[st.length - 1] : 0;
  };
  RunSource.prototype.totalSteps = function () {
    if (this.summary && this.summary.steps) return this.summary.steps;
    return this.config && this.config.params ? this.config.params.steps : null;
  };
  /* Steps per second: over the last minute of rows while it runs, else the summary's. */
  RunSource.prototype.speed = function () {
    if (this.summary && this.summary.seconds_per_step) return 1 / this.summary.seconds_per_step;
    var s = this.samples, now = Date.now();
    while (s.length > 2 && now - s[0][0] > 60000) s.shift();
    if (s.length < 2 || s[s.length - 1][0] === s[0][0]) return null;
    return (s[s.length - 1][1] - s[0][1]) / ((s[s.length - 1][0] - s[0][0]) / 1000);
  };
  RunSource.prototype.tstarStep = function () {
    return this.summary && this.summary.predicted_transition_step ? this.summary.predicted_transition_step : null;
  };
  /* The phenomena: the summary's once the run has one; while it runs, the standard rules on the rows so far. */
  RunSource.prototype.markers = function () {
    var out = [], s = this.summary;
    function kind(what) { return /fit/.test(what) ? 'fit' : /jump|grok/.test(what) ? 'jump' : 'other'; }
    if (s && s.phenomena) {
      s.phenomena.forEach(function (p) {
        var step = p.step_key ? s[p.step_key] : p.step; /* a standard fact's step is under its own key */
        if (step !== null && step !== undefined) out.push({ what: p.what, step: step, kind: kind(p.what) });
      });
    } else {
      var st = this.t.col('step');
      [['train set fit', 'train_acc', 0.99, 'fit'], ['test accuracy jumped', 'test_acc', 0.95, 'jump']]
        .forEach(function (r) {
          var c = this.t.col(r[1]);
          if (!c) return;
          for (var i = 0; i < c.length; i++) if (c[i] >= r[2]) {
            out.push({ what: r[0], step: st[i], kind: r[3] });
            break;
          }
        }, this);
    }
    if (this.tstarStep()) out.push({ what: 'predicted t*', step: this.tstarStep(), kind: 'tstar' });
    return out;
  };

  /* ---- a chart of some columns of some runs --------------------------------------------------------- */
  function Panel(parent, sources, opts) {
    this.sources = sources;
    this.opts = opts;
    this.logx = true;
    this.logy = !!opts.logy;
    this.xkey = 'step';
    this.sel = null;
    this.u = null;
    this.key = '';
    this.box = el('div', { class: 'panel' });
    this.controls = el('div', { class: 'controls' });
    this.chart = el('div', { class: 'chart' });
    this.marks = el('ul', { class: 'markers' });
    this.box.appendChild(el('h2', { text: opts.title }));
    this.box.appendChild(this.controls);
    this.box.appendChild(this.chart);
    this.box.appendChild(this.marks);
    parent.appendChild(this.box);
    allPanels.push(this);
  }
  /* A column in words (the first run's that has them). */
  Panel.prototype.label = function (c) {
    var s = this.sources.filter(function (s) { return s.labels[c]; })[0];
    return s ? s.label(c) : c;
  };
  Panel.prototype.columns = function () {
    var seen = {}, out = [];
    this.sources.forEach(function (s) {
      (s.t.names || []).forEach(function (n) {
        if (n !== 'step' && n !== 'time' && !seen[n]) { seen[n] = 1; out.push(n); }
      });
    });
    return out;
  };
  /* The columns drawn: those the panel picks by name until the reader chooses. */
  Panel.prototype.selection = function () {
    var self = this, cols = this.columns();
    if (!this.sel && cols.length) {
      this.sel = cols.filter(function (c) { return self.opts.pick.test(c); });
      if (!this.sel.length) this.sel = cols.slice(0, 2);
    }
    return this.sel || [];
  };
  /* Redraws once every run holds the columns now chosen (a served page fetches those it lacks). */
  Panel.prototype.refetch = function () {
    var self = this;
    Promise.all(this.sources.map(function (s) { return s.need(); })).then(function () { self.render(true); });
  };
  Panel.prototype.buildControls = function (cols) {
    var self = this;
    this.selection();
    this.controls.textContent = '';
    var xs = el('select', { onchange: function () { self.xkey = xs.value; self.refetch(); } });
    var canTstar = this.sources.some(function (s) { return s.tstarStep(); });
    [['step', 'step'], ['time', 't'], ['tstar', 't / t*']].forEach(function (o) {
      if (o[0] === 'tstar' && !canTstar) return;
      var op = el('option', { value: o[0], text: o[1] });
      if (o[0] === self.xkey) op.selected = true;
      xs.appendChild(op);
    });
    var lx = el('input', { type: 'checkbox', onchange: function () { self.logx = lx.checked; self.render(true); } });
    var ly = el('input', { type: 'checkbox', onchange: function () { self.logy = ly.checked; self.render(true); } });
    lx.checked = this.logx; ly.checked = this.logy;
    var list = el('div');
    cols.forEach(function (c) {
      var cb = el('input', { type: 'checkbox', value: c, onchange: function () {
        self.sel = Array.prototype.filter.call(list.querySelectorAll('input'), function (i) { return i.checked; })
          .map(function (i) { return i.value; });
        self.refetch();
      } });
      cb.checked = self.sel.indexOf(c) >= 0;
      list.appendChild(el('label', { title: c }, cb, document.createTextNode(self.label(c))));
    });
    this.controls.appendChild(el('label', { text: 'x: ' }, xs));
    this.controls.appendChild(el('label', {}, lx, document.createTextNode('log x')));
    this.controls.appendChild(el('label', {}, ly, document.createTextNode('log y')));
    this.controls.appendChild(el('details', { class: 'cols' }, el('summary', { text: 'columns' }), list));
  };
  /* x of a run in the chosen unit: step, t, or t/t* (t* from the predicted transition step). */
  Panel.prototype.xOf = function (s) {
    var step = s.t.col('step') || new Float64Array(0);
    if (this.xkey === 'time') return s.t.col('time') || step;
    if (this.xkey === 'tstar') {
      var ts = s.tstarStep();
      return step.map(function (v) { return ts ? v / ts : NaN; });
    }
    return step;
  };
  Panel.prototype.markerX = function (s, step) {
    if (this.xkey === 'tstar') return s.tstarStep() ? step / s.tstarStep() : null;
    if (this.xkey !== 'time') return step;
    var st = s.t.col('step'), tm = s.t.col('time');
    if (!tm || !st) return step;
    for (var i = 0; i < st.length; i++) if (st[i] >= step) return st[i] === step ? tm[i] : null;
    var k = st.length - 1;
    return k > 0 && st[k] ? tm[k] * step / st[k] : null;
  };
  /* A value drawn: a finite number, > 0 on a log axis. */
  function drawable(v, log) { return v === v && v !== Infinity && v !== -Infinity && (!log || v > 0); }
  /* The first index of ascending x from i at which x >= v (x > v if past). */
  function bound(x, v, i, past) {
    var j = x.length;
    while (i < j) { var m = (i + j) >> 1; if (x[m] < v || (past && x[m] === v)) i = m + 1; else j = m; }
    return i;
  }
  /* Marks in keep the rows drawn of those with x in [lo, hi] (x ascending from i0): in each of nb buckets of
   * equal width on the axis (log or linear), the rows of each series' smallest and largest value, so a spike
   * stays however many rows share a pixel column; and the first and last row. The buckets' edges are found by
   * bisection, so each series is one tight pass over its rows. */
  function thin(keep, x, ys, i0, lo, hi, nb, logx, logy) {
    var floor = logy ? 0 : -Infinity, first = bound(x, lo, i0), end = bound(x, hi, first, true);
    if (first >= end) return;
    keep[first] = keep[end - 1] = 1;
    var a = logx ? Math.log(lo) : lo, w = ((logx ? Math.log(hi) : hi) - a) / nb, edges = [first];
    for (var b = 1; b < nb; b++) edges.push(bound(x, logx ? Math.exp(a + b * w) : a + b * w, edges[b - 1]));
    edges.push(end);
    ys.forEach(function (y) {
      if (!y) return;
      for (var b = 0; b < nb; b++) {
        var low = Infinity, high = -Infinity, lowAt = -1, highAt = -1;
        for (var i = edges[b], e = edges[b + 1]; i < e; i++) {
          var v = y[i];
          if (!(v > floor && v < Infinity)) continue;
          if (v < low) { low = v; lowAt = i; }
          if (v > high) { high = v; highAt = i; }
        }
        if (lowAt >= 0) keep[lowAt] = keep[highAt] = 1;
      }
    });
  }
  /* The rows of one run drawn: all of them when there are few per pixel column; else those thin() keeps over the
   * whole x range and, zoomed in, over the range in view. */
  Panel.prototype.rows = function (x, ys, i0) {
    var nb = Math.max(200, Math.round(this.chart.clientWidth || 1000)), n = x.length - i0, out = [];
    if (n <= 4 * nb) { for (var i = i0; i < x.length; i++) out.push(i); return out; }
    var keep = new Uint8Array(x.length);
    thin(keep, x, ys, i0, x[i0], x[x.length - 1], nb, this.logx, this.logy);
    if (this.view) thin(keep, x, ys, i0, this.view.lo, this.view.hi, nb, this.logx, this.logy);
    for (i = i0; i < x.length; i++) if (keep[i]) out.push(i);
    this.thinned = true;
    return out;
  };
  /* One table [x, y...] per run as uPlot wants it: plain arrays, null where nothing is drawn (missing, infinite,
   * <= 0 on a log axis). Several runs are joined on x (uPlot.join). */
  Panel.prototype.data = function () {
    var self = this;
    this.thinned = false;
    var tables = this.sources.map(function (s) {
      var x = self.xOf(s), i0 = 0;
      if (self.logx) while (i0 < x.length && !(x[i0] > 0)) i0++;
      var ys = self.sel.map(function (c) { return s.t.col(c); }), idx = self.rows(x, ys, i0);
      return [x].concat(ys).map(function (col, k) {
        var log = k === 0 ? self.logx : self.logy, out = new Array(idx.length);
        for (var j = 0; j < idx.length; j++) {
          var v = col ? col[idx[j]] : NaN;
          out[j] = drawable(v, log) ? v : null;
        }
        return out;
      });
    });
    if (tables.length === 1) return tables[0];
    return uPlot.join(tables);
  };
  /* After a zoom (or its undoing): the rows in view drawn at full resolution again, when the rows were thinned. */
  Panel.prototype.rezoom = function (u) {
    if (this.settingData || !this.thinned) return;
    var lo = u.scales.x.min, hi = u.scales.x.max, x = u.data[0];
    var full = !x.length || (lo <= x[0] && hi >= x[x.length - 1]);
    var view = full ? null : { lo: lo, hi: hi };
    if (JSON.stringify(view) === JSON.stringify(this.view)) return;
    this.view = view;
    this.settingData = true;
    u.setData(this.data(), false);
    u.setScale('x', { min: lo, max: hi });  /* uPlot finds the rows in view again */
    this.settingData = false;
  };
  Panel.prototype.drawMarkers = function (u) {
    var ctx = u.ctx, self = this, top = u.bbox.top, h = u.bbox.height;
    var colour = { fit: '#2a7', jump: '#d62728', tstar: '#555', other: '#999' };
    ctx.save();
    ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
    this.sources.forEach(function (s) {
      s.markers().forEach(function (m) {
        var xv = self.markerX(s, m.step);
        if (xv === null || (self.logx && xv <= 0)) return;
        var px = u.valToPos(xv, 'x', true);
        if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = ctx.fillStyle = colour[m.kind];
        ctx.setLineDash(m.kind === 'tstar' ? [6, 4] : [2, 3]);
        ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, top + h); ctx.stroke();
        ctx.fillText(m.what, px + 3, top + 12 * devicePixelRatio);
      });
    });
    ctx.restore();
  };
  Panel.prototype.render = function (rebuild) {
    var cols = this.columns();
    if (!cols.length) return;
    if (!this.sel || cols.length !== this.ncols) { this.buildControls(cols); this.ncols = cols.length; }
    var key = [this.xkey, this.logx, this.logy, this.sel.join(','), cols.length, this.sources.length].join('|');
    if (!this.u || key !== this.key || rebuild) this.view = null;
    var data = this.data(), self = this;
    if (!this.u || key !== this.key || rebuild) {
      if (this.u) this.u.destroy();
      var series = [{ label: this.xkey === 'tstar' ? 't/t*' : this.xkey === 'time' ? 't' : 'step' }], k = 0;
      this.sources.forEach(function (s) {
        self.sel.forEach(function (c) {
          series.push({ label: self.sources.length > 1 ? s.name + ': ' + s.label(c) : s.label(c), col: c,
            stroke: PALETTE[k++ % 10],
            width: 1.5, spanGaps: true, points: { show: false } });
        });
      });
      var opts = {
        width: Math.max(300, this.chart.clientWidth || this.box.clientWidth - 20), height: 300, series: series,
        scales: { x: { time: false, distr: this.logx ? 3 : 1 }, y: { distr: this.logy ? 3 : 1 } },
        axes: [{ values: tickLabels }, { size: 70, values: tickLabels }],
        hooks: { draw: [function (u) { self.drawMarkers(u); gk.timing.drawnMs = performance.now(); }],
          setScale: [function (u, key) { if (key === 'x') self.rezoom(u); }] }
      };
      var i = gk.charts.indexOf(this.u);
      this.chart.textContent = '';
      this.u = new uPlot(opts, data, this.chart);
      if (i >= 0) gk.charts[i] = this.u; else gk.charts.push(this.u);
      this.key = key;
    } else {
      this.settingData = true;
      this.u.setData(data, !this.view);  /* zoomed in, the view stays as new rows come */
      this.settingData = false;
    }
    if (this.opts.listMarkers) this.renderMarkers();
  };
  Panel.prototype.renderMarkers = function () {
    var self = this;
    this.marks.textContent = '';
    this.sources.forEach(function (s) {
      s.markers().forEach(function (m) {
        var txt = (self.sources.length > 1 ? s.name + ': ' : '') + m.what + ' at step ' + fmtNum(m.step);
        self.marks.appendChild(el('li', { class: 'marker', 'data-kind': m.kind, text: txt }));
      });
    });
  };

  /* ---- the run page ---------------------------------------------------------------------------------- */
  function kvTable(obj, skip) {
    var t = el('table', { class: 'kv' });
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      if (skip && skip[k]) return;
      if (v !== null && typeof v === 'object') return;
      t.appendChild(el('tr', {}, el('td', { text: k }), el('td', { text: fmtNum(v) })));
    });
    return t;
  }
  function runStatus(sources) {
    var st = sources.map(function (s) { return s.status; });
    if (st.indexOf('running') >= 0) return 'running';
    return st.every(function (x) { return x === st[0]; }) ? st[0] : 'mixed';
  }
  function renderFacts(box, sources) {
    box.textContent = '';
    sources.forEach(function (s) {
      var total = s.totalSteps(), step = s.lastStep(), sp = s.speed();
      var eta = s.status === 'running' && sp > 0 && total ? (total - step) / sp : null;
      var line = el('div', { class: 'facts' });
      if (sources.length > 1) line.appendChild(el('b', { text: s.name + ' ' }));
      line.appendChild(el('span', { class: 'run-status', text: s.status }));
      line.appendChild(el('span', { text: ' step ' + fmtNum(step) + (total ? ' of ' + fmtNum(total) +
        ' (' + Math.round(100 * step / total) + '%)' : '') }));
      line.appendChild(el('span', { text: ' · ' + (sp ? fmtNum(sp) + ' steps/s' : 'speed —') }));
      if (eta !== null) line.appendChild(el('span', { text: ' · ETA ' + fmtDuration(eta) }));
      if (s.summary && s.summary.wall_seconds) line.appendChild(el('span', { text: ' · took ' +
        fmtDuration(s.summary.wall_seconds) }));
      box.appendChild(line);
    });
  }
  function renderDetails(box, sources) {
    box.textContent = '';
    if (sources.length !== 1) return;
    var s = sources[0];
    var tabs = el('div', { class: 'tables' });
    if (s.config) tabs.appendChild(el('div', {}, el('h2', { text: 'config' }), kvTable(s.config.params || s.config)));
    if (s.summary) tabs.appendChild(el('div', {}, el('h2', { text: 'summary' }), kvTable(s.summary)));
    box.appendChild(tabs);
    var figs = (s.figures || []).filter(function (f) { return /\.png$/.test(f); });
    if (figs.length) {
      var fb = el('div', { class: 'figs' });
      figs.forEach(function (f) {
        fb.appendChild(el('a', { href: fileUrl(s.path, f) }, el('img', { src: fileUrl(s.path, f), alt: f, title: f })));
      });
      box.appendChild(el('h2', { text: 'figures' }));
      box.appendChild(fb);
    }
  }
  function runPage(sources, title) {
    document.getElementById('title').textContent = title;
    var facts = el('div', { id: 'facts' }), details = el('div');
    app.appendChild(facts);
    var panels = [new Panel(app, sources, { title: 'accuracy', pick: /_acc$/, listMarkers: true }),
      new Panel(app, sources, { title: 'losses', pick: /_loss$/, logy: true })];
    app.appendChild(details);
    gk.sources = sources;
    var lastStatus = '';
    function show() {
      var t0 = performance.now();
      panels.forEach(function (p) { p.render(); });
      gk.renderMs = performance.now() - t0;
      renderFacts(facts, sources);
      var st = runStatus(sources);
      if (st !== lastStatus) { renderDetails(details, sources); lastStatus = st; }
      setStatus(st);
      gk.ready = true;
    }
    return show;
  }
  function poller(sources, show) {
    function tick() {
      Promise.all(sources.map(function (s) { return s.poll(); })).then(function (ch) {
        if (ch.some(Boolean) || !gk.ready) show(); else setStatus(runStatus(sources));
        var busy = sources.some(function (s) { return !FINAL[s.status]; });
        if (busy) setTimeout(tick, gk.status === 'running' ? 1000 : 5000);
      }).catch(function (e) {
        document.getElementById('title').textContent = String(e);
        setTimeout(tick, 5000);
      });
    }
    tick();
  }

  /* ---- the sweep page -------------------------------------------------------------------------------- */
  function sweepKeys(head, rows) {
    var pi = head.indexOf('point'), out = [];
    for (var i = 0; i < (pi < 0 ? head.length : pi); i++) {
      var vals = {};
      rows.forEach(function (r) { vals[r[i]] = 1; });
      if (Object.keys(vals).length > 1) out.push(head[i]);
    }
    return out;
  }
  /* A colour from dark blue (lo) to yellow (hi). */
  function heatColour(f) {
    var a = [68, 1, 84], b = [33, 145, 140], c = [253, 231, 37], p = f < 0.5 ? [a, b, f * 2] : [b, c, f * 2 - 1];
    var m = p[0].map(function (v, i) { return Math.round(v + (p[1][i] - v) * p[2]); });
    return 'rgb(' + m.join(',') + ')';
  }
  function renderHeat(box, head, rows, xk, yk, zk, word) {
    box.textContent = '';
    var xi = head.indexOf(xk), yi = head.indexOf(yk), zi = head.indexOf(zk);
    function uniq(i) {
      var u = [];
      rows.forEach(function (r) { if (u.indexOf(r[i]) < 0) u.push(r[i]); });
      return u.sort(function (a, b) { return Number(a) - Number(b); });
    }
    var xs = uniq(xi), ys = yi >= 0 ? uniq(yi) : [''], cell = {}, lo = Infinity, hi = -Infinity;
    rows.forEach(function (r) {
      var v = r[zi] === '' ? NaN : Number(r[zi]), k = r[xi] + '|' + (yi >= 0 ? r[yi] : '');
      if (isFinite(v)) { cell[k] = v; lo = Math.min(lo, v); hi = Math.max(hi, v); }
    });
    var t = el('table', { class: 'heat' }), hr = el('tr', {}, el('th', { text: (yk ? word(yk) : '') + ' \\ ' + word(xk) }));
    xs.forEach(function (x) { hr.appendChild(el('th', { text: x })); });
    t.appendChild(hr);
    ys.forEach(function (y) {
      var tr = el('tr', {}, el('th', { text: y }));
      xs.forEach(function (x) {
        var v = cell[x + '|' + y], td = el('td', { text: v === undefined ? '—' : fmtNum(v) });
        if (v !== undefined) {
          var f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
          td.style.background = heatColour(f);
          td.style.color = f > 0.6 ? '#000' : '#fff';
        }
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
  function sweepTable(box, head, rows, word) {
    var t = el('table', { class: 'sweep-table' }), hr = el('tr');
    head.forEach(function (h) { hr.appendChild(el('th', { text: word(h), title: h })); });
    t.appendChild(hr);
    rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (v) { tr.appendChild(el('td', { text: v.length > 40 ? v.slice(0, 40) + '…' : v })); });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
  /* sweep.csv's columns in words (sent by groklab: the sweep figures' words), the name itself otherwise. */
  function sweepSection(box, csv, labels) {
    function word(k) { return (labels && labels[k]) || k; }
    box.textContent = '';
    if (!csv) { box.appendChild(el('p', { text: 'sweep.csv is written when the sweep ends.' })); return; }
    var rows = parseCSV(csv), head = rows.shift() || [], keys = sweepKeys(head, rows);
    var numeric = head.filter(function (h, i) {
      return head.indexOf('status') < i && rows.some(function (r) { return r[i] !== '' && isFinite(Number(r[i])); });
    });
    var zk = numeric.indexOf('test_grok_step') >= 0 ? 'test_grok_step' : numeric[0];
    var heat = el('div'), xs = el('select'), ys = el('select'), zs = el('select');
    keys.forEach(function (k, i) {
      xs.appendChild(el('option', { value: k, text: word(k) }));
      ys.appendChild(el('option', { value: k, text: word(k) }));
      if (i === 1) ys.value = k;
    });
    numeric.forEach(function (k) { zs.appendChild(el('option', { value: k, text: word(k) })); });
    zs.value = zk;
    function draw() { if (xs.value) renderHeat(heat, head, rows, xs.value, ys.value !== xs.value ? ys.value : '', zs.value, word); }
    [xs, ys, zs].forEach(function (s) { s.addEventListener('change', draw); });
    box.appendChild(el('h2', { text: 'heat map' }));
    box.appendChild(el('div', { class: 'controls' }, el('label', { text: 'x: ' }, xs), el('label', { text: 'y: ' }, ys),
      el('label', { text: 'value: ' }, zs)));
    box.appendChild(heat);
    draw();
    box.appendChild(el('h2', { text: 'table' }));
    sweepTable(box, head, rows, word);
  }
  function sweepStatus(csv, sources) {
    if (sources.some(function (s) { return s.status === 'running'; })) return 'running';
    if (!csv) return 'incomplete';
    var rows = parseCSV(csv), head = rows.shift() || [], si = head.indexOf('status');
    return rows.length && rows.every(function (r) { return r[si] === 'completed'; }) ? 'completed' : 'incomplete';
  }
  function sweepPage(sw) {
    document.getElementById('title').textContent = 'sweep ' + sw.name;
    var tableBox = el('div'), figBox = el('div', { class: 'figs' }), facts = el('div', { id: 'facts' });
    app.appendChild(facts);
    var sources = [], panel = null, curvesBox = el('div'), state = { csv: sw.table || null, labels: sw.labels || null };
    app.appendChild(curvesBox);
    app.appendChild(tableBox);
    app.appendChild(el('h2', { text: 'figures' }));
    app.appendChild(figBox);
    function setPoints(points) {
      points.forEach(function (p) {
        if (sources.some(function (s) { return s.name === p.name; })) return;
        sources.push(new RunSource({ path: sw.path + '/' + p.name, name: p.name, csv: p.csv, status: p.status }));
      });
      if (!panel && sources.length) panel = new Panel(curvesBox, sources, { title: 'points', pick: /^test_acc$/, listMarkers: true });
      gk.sources = sources;
    }
    function show(figures) {
      var t0 = performance.now();
      if (panel) panel.render(true);
      gk.renderMs = performance.now() - t0;
      sweepSection(tableBox, state.csv, state.labels);
      figBox.textContent = '';
      (figures || []).filter(function (f) { return /\.png$/.test(f); }).forEach(function (f) {
        figBox.appendChild(el('img', { src: fileUrl(sw.path, f), alt: f, title: f }));
      });
      var st = sweepStatus(state.csv, sources);
      facts.textContent = sources.length + ' points: ' + sources.filter(function (s) {
        return s.status === 'completed'; }).length + ' completed';
      setStatus(st);
      gk.ready = true;
    }
    if (!D.live) { setPoints(sw.points || []); show(sw.figures); return; }
    function tick() {
      getJSON('/api/sweep?p=' + enc(sw.path)).then(function (m) {
        state.csv = m.table;
        state.labels = m.labels || state.labels;
        setPoints(m.points);
        return Promise.all(sources.map(function (s) { return s.poll(); })).then(function () { return m; });
      }).then(function (m) {
        show(m.figures);
        if (gk.status !== 'completed') setTimeout(tick, gk.status === 'running' ? 1500 : 5000);
      }).catch(function (e) {
        document.getElementById('title').textContent = String(e);
        setTimeout(tick, 5000);
      });
    }
    tick();
  }

  /* ---- the index: every run and sweep the server found ---------------------------------------------- */
  function indexPage() {
    document.getElementById('title').textContent = 'runs and sweeps';
    getJSON('/api/list').then(function (m) {
      var runs = m.items.filter(function (i) { return i.kind === 'run'; });
      var sweeps = m.items.filter(function (i) { return i.kind === 'sweep'; });
      var t = el('table', { id: 'runs' });
      t.appendChild(el('tr', {}, el('th'), el('th', { text: 'run' }), el('th', { text: 'preset' }),
        el('th', { text: 'status' }), el('th', { text: 'steps' }), el('th', { text: 'modified' })));
      runs.forEach(function (r) {
        t.appendChild(el('tr', {}, el('td', {}, el('input', { type: 'checkbox', value: r.p })),
          el('td', {}, el('a', { href: '/view?p=' + enc(r.p), text: r.p })), el('td', { text: r.preset || '' }),
          el('td', { text: r.status }), el('td', { text: fmtNum(r.steps) }),
          el('td', { text: new Date(r.mtime * 1000).toLocaleString() })));
      });
      var overlay = el('button', { text: 'overlay the selected runs', onclick: function () {
        var ps = Array.prototype.filter.call(t.querySelectorAll('input'), function (i) { return i.checked; });
        if (ps.length) location.href = '/view?' + ps.map(function (i) { return 'p=' + enc(i.value); }).join('&');
      } });
      app.appendChild(el('h2', { text: 'runs (' + runs.length + ')' }));
      app.appendChild(t);
      app.appendChild(el('p', {}, overlay));
      var s = el('ul', { id: 'sweeps' });
      sweeps.forEach(function (w) {
        s.appendChild(el('li', {}, el('a', { href: '/view?p=' + enc(w.p), text: w.p }),
          document.createTextNode(' ' + w.status)));
      });
      app.appendChild(el('h2', { text: 'sweeps (' + sweeps.length + ')' }));
      app.appendChild(s);
      setStatus('index');
      gk.ready = true;
    }).catch(function (e) { app.appendChild(el('p', { class: 'err', text: String(e) })); });
  }

  window.addEventListener('resize', function () {
    gk.charts.forEach(function (u) { u.setSize({ width: Math.max(300, u.root.parentNode.clientWidth), height: 300 }); });
  });
  if (!D.live) document.getElementById('home').removeAttribute('href');
  if (D.mode === 'index') indexPage();
  else if (D.mode === 'sweep') sweepPage(D.sweep);
  else {
    var sources = D.runs.map(function (r) { return new RunSource(r); });
    var title = sources.length === 1 ? sources[0].name : sources.length + ' runs overlaid';
    var show = runPage(sources, title);
    if (D.live) poller(sources, show); else show();
  }
})();
