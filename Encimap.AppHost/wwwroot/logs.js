'use strict';
// Structured logs: /api/logs filtered by service, minimum level, trace id and text; newest first.
(() => {
  const { el, getJson, poll, time, chip, badge, params, setParams, fillServices, kvTable, debounce, highlight } = Dashboard;
  const service = document.getElementById('service');
  const level = document.getElementById('level');
  const traceId = document.getElementById('trace-id');
  const search = document.getElementById('search');
  const live = document.getElementById('live');
  const count = document.getElementById('count');
  const body = document.getElementById('logs');
  const expanded = new Set();

  const query = params();
  level.value = query.get('level') ?? '';
  traceId.value = query.get('traceId') ?? '';
  search.value = query.get('search') ?? '';

  function detailRow(record) {
    const facts = [
      { key: 'timestamp', value: record.timestamp }, { key: 'severity', value: `${record.level} (${record.severityNumber})` },
      { key: 'category', value: record.category }, { key: 'trace id', value: record.traceId || '–' }, { key: 'span id', value: record.spanId || '–' },
    ];
    if (record.eventName) facts.push({ key: 'event', value: record.eventName });
    return el('tr', { className: 'log-details' }, el('td', { colspan: 6 }, kvTable([...facts, ...record.attributes])));
  }

  function rows(record) {
    const term = search.value.trim();
    const message = el('td', { className: 'message' });
    highlight(message, record.message, term);
    const exception = record.attributes.find(a => a.key === 'exception.message');
    if (exception) message.append(el('div', { text: exception.value, style: { color: '#c62828' } }));
    const row = el('tr', { className: 'clickable', dataset: { sequence: record.sequence, service: record.service, level: record.level },
      onclick: e => {
        if (e.target.tagName === 'A') return;
        if (expanded.has(record.sequence)) expanded.delete(record.sequence); else expanded.add(record.sequence);
        refresh();
      } },
      el('td', { className: 'mono muted', text: time(record.timestamp), title: record.timestamp }),
      el('td', {}, badge(record.level)),
      el('td', {}, chip(record.service)),
      el('td', { className: 'muted', text: record.category, style: { maxWidth: '18rem', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }, title: record.category }),
      message,
      el('td', { className: 'mono' }, record.traceId ? el('a', { href: `trace.html?id=${record.traceId}`, text: record.traceId.slice(0, 8), title: record.traceId }) : null));
    return expanded.has(record.sequence) ? [row, detailRow(record)] : [row];
  }

  async function refresh() {
    const url = new URLSearchParams({ limit: '300' });
    if (service.value) url.set('service', service.value);
    if (level.value) url.set('level', level.value);
    if (traceId.value.trim()) url.set('traceId', traceId.value.trim());
    if (search.value.trim()) url.set('search', search.value.trim());
    const result = await getJson(`/api/logs?${url}`);
    body.replaceChildren(...(result.records.length ? result.records.flatMap(rows)
      : [el('tr', {}, el('td', { colspan: 6, className: 'empty', text: 'No log record matches.' }))]));
    count.textContent = result.total > result.records.length ? `${result.records.length} newest of ${result.total} records` : `${result.total} records`;
  }

  function changed() {
    setParams({ service: service.value, level: level.value, traceId: traceId.value.trim(), search: search.value.trim() });
    poller.now();
  }

  let poller = { now() {} };
  fillServices(service, query.get('service') ?? '').finally(() => {
    poller = poll(async () => { if (live.checked || body.childElementCount === 0) await refresh(); }, 2000);
  });
  service.addEventListener('focus', () => fillServices(service));
  service.addEventListener('change', changed);
  level.addEventListener('change', changed);
  traceId.addEventListener('input', debounce(changed, 300));
  search.addEventListener('input', debounce(changed, 300));
  live.addEventListener('change', () => poller.now());
})();
