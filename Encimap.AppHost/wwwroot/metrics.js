'use strict';
// Metrics: one card per service with request rate, error rate, latency percentiles and counters.
(() => {
  const { el, getJson, poll, duration, time, chip, number } = Dashboard;
  const cards = document.getElementById('cards');
  const open = new Set(); // services whose instrument list is unfolded, kept across refreshes

  function plural(count, noun) {
    return `${number(count)} ${noun}${count === 1 ? '' : 's'}`;
  }

  function figure(value, label) {
    return el('div', { className: 'figure' }, el('div', { className: 'value', text: value }), el('div', { className: 'label', text: label }));
  }

  function card(service) {
    const r = service.requests;
    const figures = r ? [
      figure(r.ratePerSecond === null ? '–' : `${number(r.ratePerSecond, 2)}/s`, 'requests'),
      figure(r.errorRate === null ? '–' : `${number(r.errorRate * 100, 1)} %`, 'errors (5xx)'),
      figure(duration(r.p50Ms), 'latency p50'),
      figure(duration(r.p95Ms), 'latency p95'),
    ] : [figure('–', 'requests'), figure('–', 'errors'), figure('–', 'p50'), figure('–', 'p95')];
    const counters = service.counters.length === 0 ? el('div', { className: 'muted', text: 'No project counter yet.' })
      : el('table', { className: 'grid' }, el('tbody', {}, service.counters.map(c =>
          el('tr', { dataset: { counter: c.name } },
            el('td', { className: 'mono', text: c.name, title: c.description }),
            el('td', { className: 'num', text: number(c.total) }),
            el('td', { className: 'muted', text: c.breakdown.filter(b => b.attributes).slice(0, 3).map(b => `${b.attributes}: ${number(b.value)}`).join(' · ') })))));
    return el('div', { className: 'panel card', dataset: { service: service.service } },
      el('h2', {}, chip(service.service), el('span', { className: 'muted', text: service.instance ? `pid ${service.instance}` : '', style: { fontSize: '12px', fontWeight: 400 } })),
      el('div', { className: 'muted', text: r
        ? `${plural(r.total, 'request')}, ${plural(r.errors, 'error')} since start · rates over the last ${Math.round(r.windowSeconds)} s · updated ${time(service.updatedAt, false)}`
        : `no HTTP server request yet · updated ${time(service.updatedAt, false)}` }),
      el('div', { className: 'figures' }, figures),
      counters,
      el('details', { open: open.has(service.service) ? '' : null, ontoggle: e => { if (e.target.open) open.add(service.service); else open.delete(service.service); } },
        el('summary', { text: `${service.instruments.length} instruments` }),
        el('table', { className: 'kv' }, el('tbody', {}, service.instruments.map(i =>
          el('tr', {}, el('td', { text: i.name }), el('td', { text: `${i.type}${i.unit ? ` (${i.unit})` : ''} ${i.description}` })))))));
  }

  async function refresh() {
    const services = await getJson('/api/metrics');
    cards.replaceChildren(...(services.length ? services.map(card)
      : [el('div', { className: 'panel empty', text: 'No metrics yet: services export them every few seconds.' })]));
  }

  poll(refresh, 5000);
})();
