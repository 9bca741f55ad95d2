// ogi site script: search over data/search.js and the agency page filled from
// data/a/<shard>.js. Plain ES5-style code, no library, works from file://
// (data files are scripts, never fetch()ed). Labels come from data/texts.js.
(function () {
  'use strict';
  var OGI = (window.OGI = window.OGI || {});
  var T = OGI.T || {};
  // Provenance by code: [label, mark, key]; T.provList keeps the legend order.
  T.provList = T.prov || [];
  T.prov = {};
  T.provList.forEach(function (p) { T.prov[p[0]] = [p[1], p[2], p[3]]; });
  var root = document.documentElement.getAttribute('data-root') || '';

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function load(src, done) {
    var s = document.createElement('script');
    s.src = root + src;
    s.onload = function () { done(true); };
    s.onerror = function () { done(false); };
    document.head.appendChild(s);
  }

  // ---- numbers (the same formats as the Rust pages)
  function thousands(n) {
    var s = String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return n < 0 ? '-' + s : s;
  }
  function trim(v, d) {
    var s = v.toFixed(d);
    return s.indexOf('.') >= 0 ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  }
  function fmt(v, unit) {
    if (v === null || v === undefined) return T.blank;
    if (unit === 'ratio') return (v * 100).toFixed(1) + ' %';
    if (unit === '10k_cny') return trim(v, 2) + ' ' + T.wan;
    if (unit === 'cny') return trim(v, 2) + ' ' + T.yuan;
    return Math.round(v) === v ? thousands(v) : trim(v, 2);
  }

  // ---- search
  var index = null;
  var waiting = [];
  OGI.index = function (rows) {
    index = rows;
    var w = waiting;
    waiting = [];
    w.forEach(function (f) { f(); });
  };
  function withIndex(f) {
    if (index) return f();
    waiting.push(f);
    if (waiting.length === 1) load('data/search.js', function () {});
  }
  function norm(s) { return (s || '').toLowerCase().replace(/\s+/g, ''); }
  function search(q) {
    q = norm(q);
    if (!q) return [];
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var e = index[i];
      var name = norm(e[0]);
      var pos = name.indexOf(q);
      if (pos < 0 && norm(e[1]).indexOf(q) < 0) {
        // Pinyin initials (bgqmzj for 北关区民政局) rank after name matches.
        var ip = (e[4] || '').indexOf(q);
        if (ip < 0) continue;
        pos = 1e3 + ip;
      }
      hits.push([pos < 0 ? 1e6 : pos, name.length, e]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return hits.slice(0, 20).map(function (h) { return h[2]; });
  }
  function setupSearch() {
    var q = $('q');
    var ul = $('results');
    if (!q || !ul) return;
    function show(hits) {
      ul.textContent = '';
      if (!norm(q.value)) return;
      if (!hits.length) { ul.appendChild(el('li', {}, T.searchNone)); return; }
      hits.forEach(function (e) {
        var li = el('li');
        var a = el('a', { href: root + e[2] }, e[0]);
        li.appendChild(a);
        if (e[3]) li.appendChild(el('small', {}, ' ' + e[3]));
        ul.appendChild(li);
      });
    }
    q.addEventListener('focus', function () { withIndex(function () {}); });
    q.addEventListener('input', function () { withIndex(function () { show(search(q.value)); }); });
    q.form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      withIndex(function () {
        var hits = search(q.value);
        if (hits.length) window.location.href = root + hits[0][2];
        else show(hits);
      });
    });
  }

  // ---- agency page
  var shards = {};
  OGI.shard = function (k, data) { shards[k] = data; };
  function fnv1a(s) {
    var bytes = unescape(encodeURIComponent(s));
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function section(box, title) {
    var s = el('section');
    s.appendChild(el('h2', {}, title));
    box.appendChild(s);
    return s;
  }
  function table(head, rows, caption) {
    var wrap = el('div', { 'class': 'scroll' });
    var t = el('table');
    if (caption) t.appendChild(el('caption', {}, caption));
    var tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', { scope: 'col' }, h)); });
    var thead = el('thead');
    thead.appendChild(tr);
    t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (c, i) {
        var cell = i === 0 ? el('th', { scope: 'row' }) : el('td');
        if (c && c.nodeType) cell.appendChild(c); else cell.textContent = c;
        tr.appendChild(cell);
      });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    wrap.appendChild(t);
    return wrap;
  }
  // A cell of table 3 or 4 as printed, with its provenance mark.
  function cell(v, code, key) {
    var span = el('span', { 'class': 'prov prov-' + code, 'data-cell': key });
    if (code === '-') { span.textContent = ''; return span; }
    span.textContent = v === null ? '' : fmt(v, 'count');
    var p = T.prov[code];
    if (p && p[1]) {
      span.setAttribute('title', p[0]);
      span.appendChild(el('sup', { 'aria-label': p[0] }, p[1]));
    }
    return span;
  }
  function csvOf(a) {
    var q = function (s) { s = s === null || s === undefined ? '' : String(s); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    var lines = ['agency_id,agency,year,report_id,table,row,col,value,provenance'];
    a.years.forEach(function (y) {
      var pre = [a.id, y.name, y.y, y.rid];
      T.figureKeys.forEach(function (k, i) { lines.push(pre.concat(['panel', k, '', y.f[i], '']).map(q).join(',')); });
      y.t3.forEach(function (r) {
        for (var c = 0; c < T.t3colkeys.length; c++) {
          var code = r[1].charAt(c);
          if (code === '-') continue;
          lines.push(pre.concat([3, T.t3keys[r[0]], T.t3colkeys[c], r[2 + c], T.prov[code][2]]).map(q).join(','));
        }
      });
      if (y.t4.length) {
        for (var k = 0; k < T.t4keys.length; k++) {
          var code4 = y.t4[0].charAt(k);
          if (code4 === '-') continue;
          lines.push(pre.concat([4, T.t4keys[k], '', y.t4[1 + k], T.prov[code4][2]]).map(q).join(','));
        }
      }
    });
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  }
  function renderAgency(a) {
    var box = $('agency');
    box.textContent = '';
    if (!a) { box.appendChild(el('p', { 'class': 'note' }, T.unknown)); return; }
    document.title = a.name + ' · ' + document.title.split(' · ').pop();
    $('title').textContent = a.name;
    var crumbs = el('nav', { 'class': 'crumbs', 'aria-label': 'breadcrumb' });
    crumbs.appendChild(el('a', { href: root + 'index.html' }, T.overview));
    a.crumbs.forEach(function (c) {
      crumbs.appendChild(document.createTextNode(' › '));
      crumbs.appendChild(el('a', { href: root + c[0] }, c[1]));
    });
    var old = document.querySelector('nav.crumbs');
    if (old) old.parentNode.removeChild(old);
    $('title').parentNode.insertBefore(crumbs, $('title'));

    var meta = el('p', { 'class': 'meta' });
    meta.textContent = [a.level, a.sector].filter(Boolean).join(' · ') +
      (a.forms.length > 1 ? ' · ' + T.nameForms + ': ' + a.forms.join('；') : '') +
      (a.amb.length ? ' · ' + a.amb.join('；') : '');
    box.appendChild(meta);
    var dl = el('a', { 'class': 'button', download: a.id + '.csv', id: 'csv' }, T.csv);
    dl.href = URL.createObjectURL(new Blob([csvOf(a)], { type: 'text/csv;charset=utf-8' }));
    box.appendChild(dl);

    // Every year side by side.
    var years = a.years;
    var head = [T.item].concat(years.map(function (y) { return String(y.y); }));
    var rows = T.figureCols.map(function (f, i) {
      return [f[0]].concat(years.map(function (y) { return fmt(y.f[i], f[1]); }));
    });
    rows.push([T.status].concat(years.map(function (y) { return y.status; })));
    rows.push([T.completeness].concat(years.map(function (y) { return fmt(y.compl, 'ratio'); })));
    section(box, T.figures).appendChild(table(head, rows));

    var legend = section(box, T.legend);
    var ul = el('ul', { 'class': 'legend-prov' });
    T.provList.forEach(function (p) {
      if (!p[2]) return;
      var li = el('li');
      li.appendChild(el('b', {}, p[2]));
      li.appendChild(document.createTextNode(' ' + p[1]));
      ul.appendChild(li);
    });
    legend.appendChild(ul);

    years.slice().reverse().forEach(function (y) {
      var s = section(box, y.y + ' · ' + y.name);
      s.setAttribute('id', 'y' + y.y);
      s.setAttribute('class', 'year');
      var info = el('ul', { 'class': 'facts' });
      [[T.status, y.status], [T.scope, y.scope], [T.template, y.tpl], [T.fetched, y.fetched]].forEach(function (p) {
        if (p[1]) info.appendChild(el('li', {}, p[0] + ': ' + p[1]));
      });
      var links = el('li');
      var src = /^https?:\/\//.test(y.src) ? el('a', { href: y.src, rel: 'noopener' }, T.source) : el('span', {}, T.source + ': ' + y.src);
      links.appendChild(src);
      if (y.arch) {
        links.appendChild(document.createTextNode(' · '));
        links.appendChild(el('a', { href: root + y.arch, 'class': 'archive' }, T.archived));
      }
      info.appendChild(links);
      s.appendChild(info);

      var t3rows = y.t3.map(function (r) {
        var row = [T.t3rows[r[0]]];
        for (var c = 0; c < T.t3cols.length; c++) row.push(cell(r[2 + c], r[1].charAt(c), T.t3keys[r[0]] + '/' + T.t3colkeys[c]));
        return row;
      });
      if (t3rows.length) s.appendChild(table([T.item].concat(T.t3cols), t3rows, T.table3));
      if (y.t4.length) {
        var t4rows = T.t4.map(function (label, k) { return [label, cell(y.t4[1 + k], y.t4[0].charAt(k), T.t4keys[k])]; });
        s.appendChild(table([T.item, ''], t4rows, T.table4));
      }
      s.appendChild(el('h3', {}, T.checks));
      var cl = el('ul', { 'class': 'checks' });
      y.checks.forEach(function (c) {
        var word = c[1] === 'h' ? T.held : c[1] === 'f' ? T.failed : T.unverified;
        var li = el('li', { 'class': 'check-' + c[1] }, c[0] + ' ' + word + ' — ' + (T.checkWords[c[0]] || '') + (c[2] ? ' (' + c[2] + ')' : ''));
        cl.appendChild(li);
      });
      s.appendChild(cl);
      s.appendChild(el('h3', {}, T.flags));
      var fl = el('ul', { 'class': 'flags' });
      y.q.concat(y.flags).forEach(function (f) { fl.appendChild(el('li', {}, f)); });
      if (!fl.childNodes.length) fl.appendChild(el('li', {}, T.noFlags));
      s.appendChild(fl);
    });
  }
  function showAgency() {
    var box = $('agency');
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { renderAgency(null); return; }
    var k = fnv1a(id) % T.shards;
    if (shards[k]) return renderAgency(shards[k][id]);
    box.textContent = T.loading;
    load('data/a/' + k + '.js', function () { renderAgency(shards[k] && shards[k][id]); });
  }

  function start() {
    setupSearch();
    if (document.documentElement.getAttribute('data-page') === 'agency') {
      window.addEventListener('hashchange', showAgency);
      showAgency();
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
