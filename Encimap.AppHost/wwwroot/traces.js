'use strict';
// Trace list: /api/traces with service, search and health-probe filters; a row opens the waterfall.
(() => {
  const { el, getJson, poll, duration, time, chip, badge, params, setParams, fillServices, debounce } = Dashboard;
  const service = document.getElementById('service');
  const search = document.getElementById('search');
  const hideHealth = document.getElementById('hide-health');
  const live = document.getElementById('live');
  const count = document.getElementById('count');
  const body = document.getElementById('traces');

  const query = params();
  search.value = query.get('search') ?? '';
  hideHealth.checked = query.get('hideHealth') !== 'false';

  function row(trace, longest) {
    const link = `trace.html?id=${trace.traceId}`;
    const width = longest > 0 ? Math.max(2, 100 * trace.durationMs / longest) : 2;
    const bar = el('div', { style: { height: '6px', borderRadius: '3px', background: trace.errorCount ? '#c62828' : '#7c9cf0', width: `${width}%`, marginTop: '4px' } });
    return el('tr', { className: 'clickable', dataset: { traceId: trace.traceId, services: trace.services.join(' ') }, onclick: e => { if (e.target.tagName !== 'A') location.href = link; } },
      el('td', { className: 'mono muted', text: time(trace.startTime), title: trace.startTime }),
      el('td', {}, el('a', { href: link, text: trace.rootName || '(no name)' }),
        trace.hasRoot ? null : el('span', { className: 'muted', text: '  (root not received)' }),
        el('div', { className: 'mono muted', text: trace.traceId, style: { fontSize: '11px' } })),
      el('td', {}, trace.services.map(chip)),
      el('td', { className: 'num', text: trace.spanCount }),
      el('td', { style: { minWidth: '9rem' } }, duration(trace.durationMs), bar),
      el('td', { className: 'num' }, trace.errorCount ? badge(String(trace.errorCount), 'error') : el('span', { className: 'muted', text: '0' })));
  }

  async function refresh() {
    const url = new URLSearchParams({ limit: '200' });
    if (service.value) url.set('service', service.value);
    if (search.value.trim()) url.set('search', search.value.trim());
    if (hideHealth.checked) url.set('hideHealth', 'true');
    const result = await getJson(`/api/traces?${url}`);
    const longest = Math.max(0, ...result.traces.map(t => t.durationMs));
    body.replaceChildren(...(result.traces.length ? result.traces.map(t => row(t, longest))
      : [el('tr', {}, el('td', { colspan: 6, className: 'empty', text: 'No trace yet. Call a service and it shows up here within a couple of seconds.' }))]));
    count.textContent = `${result.traces.length} trace${result.traces.length === 1 ? '' : 's'} shown · ${result.spanCount} spans in memory`;
  }

  function changed() {
    setParams({ service: service.value, search: search.value.trim(), hideHealth: hideHealth.checked ? '' : 'false' });
    poller.now();
  }

  let poller = { now() {} };
  fillServices(service, query.get('service') ?? '').finally(() => {
    poller = poll(async () => { if (live.checked || body.childElementCount === 0) await refresh(); }, 2000);
  });
  service.addEventListener('focus', () => fillServices(service));
  service.addEventListener('change', changed);
  search.addEventListener('input', debounce(changed, 300));
  hideHealth.addEventListener('change', changed);
  live.addEventListener('change', () => poller.now());
})();
