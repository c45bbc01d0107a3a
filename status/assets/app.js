// chot status page: the live decision feed and the tile refresh.
// No framework; the page works without this script, only not live.
(function () {
  'use strict';
  var body = document.body;
  if (body.dataset.private === 'true') return;
  var i18n = {};
  try { i18n = JSON.parse(body.dataset.i18n || '{}'); } catch (e) { i18n = {}; }
  function t(key, fallback) { return Object.prototype.hasOwnProperty.call(i18n, key) ? i18n[key] : fallback; }
  function token(s) { return String(s || '').replace(/[^a-zA-Z0-9_-]/g, ''); }
  var lang = document.documentElement.lang || 'en';

  function localTime(el) {
    var d = new Date(el.getAttribute('datetime'));
    if (!isNaN(d.getTime())) {
      el.textContent = d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
      el.title = d.toLocaleString(lang);
    }
  }
  document.querySelectorAll('time[datetime]').forEach(localTime);

  var feed = document.getElementById('feed');
  var empty = document.getElementById('feed-empty');
  var live = document.getElementById('live');
  var tiles = document.getElementById('tiles');
  if (!feed) return;
  var seen = new Set();
  feed.querySelectorAll('li[data-seq]').forEach(function (li) { seen.add(li.dataset.seq); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function render(ev) {
    var li = el('li', 'ev new cls-' + token(ev.class) + ' dec-' + token(ev.decision));
    li.dataset.seq = String(ev.seq);
    li.appendChild(el('span', 'bar'));
    var b = el('div', 'ev-body');
    var main = el('div', 'ev-main');
    main.appendChild(el('span', 'ev-dec', t('decision.' + ev.decision, ev.decision)));
    main.appendChild(el('span', 'ev-reason', t('reason.' + ev.reason, ev.reason)));
    b.appendChild(main);
    var issuer = ev.issuer && ev.unverified ? t('feed.unverified', 'unverified') + ': ' + ev.issuer : ev.issuer;
    var detail = [String(ev.format || '').toUpperCase(), ev.type, issuer, ev.rule].filter(Boolean).join(' · ');
    if (detail) b.appendChild(el('div', 'ev-detail', detail));
    var rt = ev.rule_texts && (ev.rule_texts[document.documentElement.lang] || ev.rule_texts.en);
    if (rt) b.appendChild(el('div', 'ev-rule', rt));
    li.appendChild(b);
    var meta = el('div', 'ev-meta');
    var tm = el('time');
    tm.setAttribute('datetime', ev.at);
    localTime(tm);
    meta.appendChild(tm);
    if (ev.gate) meta.appendChild(el('span', '', t('gatestate.' + ev.gate, ev.gate)));
    if (ev.latency_us > 0) meta.appendChild(el('span', '', Math.round(ev.latency_us / 1000) + ' ' + t('feed.latency', 'ms')));
    if (ev.clock && ev.clock !== 'synced') meta.appendChild(el('span', 'badge warn', t('clock.' + ev.clock, ev.clock)));
    li.appendChild(meta);
    return li;
  }

  var pending = null;
  function refreshTiles() {
    if (!tiles) return;
    fetch('/partial/tiles', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) tiles.innerHTML = html; })
      .catch(function () {});
  }
  function soon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refreshTiles(); }, 400);
  }

  function setLive(on) {
    live.classList.toggle('off', !on);
    live.textContent = on ? t('feed.live', 'Live') : t('feed.reconnecting', 'Reconnecting…');
    body.dataset.live = on ? 'on' : 'off';
  }

  if (window.EventSource) {
    var es = new EventSource('/events');
    es.onopen = function () { setLive(true); };
    es.onerror = function () { setLive(false); };
    es.addEventListener('decision', function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      var key = String(ev.seq);
      if (seen.has(key)) return;
      seen.add(key);
      feed.insertBefore(render(ev), feed.firstChild);
      while (feed.children.length > 50) feed.removeChild(feed.lastElementChild);
      if (empty) empty.hidden = true;
      soon();
    });
  }
  var every = parseInt(body.dataset.refresh, 10);
  if (every > 0) setInterval(refreshTiles, every);
})();
