// Helpers every dashboard page shares. All text reaches the page through textContent (never
// innerHTML), so that log lines, span names and attributes cannot inject markup.
'use strict';

const Dashboard = (() => {
  /** Creates an element: props may hold text, className, href, title, target, dataset, onclick, style. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'className') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'style') Object.assign(node.style, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Replaces the children of node, skipping null/undefined/false (conditional parts). */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
    return node;
  }

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) {
      const error = new Error(`${url}: ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  /** Runs fn now and then every ms after it finishes; pauses while the tab is hidden. */
  function poll(fn, ms) {
    let timer = null;
    let stopped = false;
    async function tick() {
      if (stopped) return;
      if (!document.hidden) {
        try { await fn(); setStatus(''); } catch (e) { setStatus(`cannot reach the AppHost (${e.message})`); }
      }
      timer = setTimeout(tick, ms);
    }
    tick();
    return { stop() { stopped = true; clearTimeout(timer); }, now() { clearTimeout(timer); tick(); } };
  }

  function setStatus(text) {
    const status = document.getElementById('status');
    if (status) status.textContent = text || `updated ${new Date().toLocaleTimeString()}`;
  }

  function duration(ms) {
    if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
    if (ms === 0) return '0 ms';
    if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
    if (ms < 10) return `${ms.toFixed(2)} ms`;
    if (ms < 1000) return `${ms.toFixed(1)} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
    return `${(ms / 60000).toFixed(1)} min`;
  }

  function uptime(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(r).padStart(2, '0')}s`;
    if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
    return `${r}s`;
  }

  function time(iso, withMs = true) {
    const d = new Date(iso);
    const base = d.toLocaleTimeString([], { hour12: false });
    return withMs ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
  }

  function number(value, digits = 0) {
    if (value === null || value === undefined) return '–';
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  /** A stable colour per service name. */
  function color(name) {
    let hash = 0;
    for (const c of name ?? '') hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
    const palette = ['#2f5bd3', '#0f8a6b', '#b4531c', '#8e44ad', '#c2185b', '#00838f', '#6d7c1f', '#5d4037', '#3949ab', '#ad1457'];
    return palette[hash % palette.length];
  }

  function chip(service) {
    return el('span', { className: 'chip', text: service, style: { background: color(service) }, dataset: { service } });
  }

  function badge(text, kind) {
    return el('span', { className: `badge ${kind ?? text}`, text });
  }

  function params() { return new URLSearchParams(location.search); }

  /** Writes the given query parameters into the address bar (empty values removed), without reloading. */
  function setParams(values) {
    const query = params();
    for (const [key, value] of Object.entries(values)) {
      if (value === '' || value === null || value === undefined || value === false) query.delete(key);
      else query.set(key, value);
    }
    const text = query.toString();
    history.replaceState(null, '', text ? `?${text}` : location.pathname);
  }

  /** Fills a <select> with services from the resources API and the telemetry seen, keeping the choice. */
  async function fillServices(select, selected, includeAll = true) {
    let names = [];
    try {
      const [resources, telemetry] = await Promise.all([getJson('/api/resources'), getJson('/api/telemetry/services')]);
      names = [...new Set([...resources.filter(r => r.type !== 'database').map(r => r.name), ...telemetry])];
    } catch { /* keep what is there */ }
    const current = selected ?? select.value;
    const options = includeAll ? [el('option', { value: '', text: 'All services' })] : [];
    for (const name of names) options.push(el('option', { value: name, text: name }));
    select.replaceChildren(...options);
    if (current && !names.includes(current)) select.append(el('option', { value: current, text: current }));
    select.value = current ?? '';
  }

  /** Appends text to parent with every case-insensitive occurrence of term wrapped in <mark>. */
  function highlight(parent, text, term) {
    if (!term) { parent.append(text); return; }
    const lower = text.toLowerCase(), needle = term.toLowerCase();
    let from = 0, at;
    while ((at = lower.indexOf(needle, from)) >= 0) {
      if (at > from) parent.append(text.slice(from, at));
      parent.append(el('mark', { text: text.slice(at, at + needle.length) }));
      from = at + needle.length;
    }
    if (from < text.length) parent.append(text.slice(from));
  }

  function kvTable(attributes) {
    if (!attributes || attributes.length === 0) return el('div', { className: 'muted', text: 'none' });
    return el('table', { className: 'kv' }, el('tbody', {}, attributes.map(a =>
      el('tr', {}, el('td', { text: a.key }), el('td', { text: a.value })))));
  }

  function debounce(fn, ms = 250) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  return { el, fill, getJson, poll, duration, uptime, time, number, color, chip, badge, params, setParams, fillServices, highlight, kvTable, debounce };
})();
