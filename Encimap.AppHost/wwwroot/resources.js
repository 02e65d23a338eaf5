'use strict';
// Resources page: polls /api/resources and renders one row per resource.
(() => {
  const { el, getJson, poll, uptime, badge } = Dashboard;

  function stat(value, label) {
    return el('div', { className: 'stat' }, el('div', { className: 'value', text: value }), el('div', { className: 'label', text: label }));
  }

  function row(resource) {
    const endpoints = el('td', { className: 'endpoints' }, resource.endpoints.map(endpoint =>
      el('a', { href: endpoint.url, target: '_blank', rel: 'noopener', title: endpoint.url },
        el('span', { className: 'name', text: endpoint.name }), endpoint.url)));
    return el('tr', { dataset: { resource: resource.name, state: resource.state, health: resource.health } },
      el('td', {}, el('a', { href: `console.html?resource=${encodeURIComponent(resource.name)}`, text: resource.name, title: 'console logs' })),
      el('td', { className: 'muted', text: resource.type }),
      el('td', {}, badge(resource.state)),
      el('td', {}, badge(resource.health)),
      el('td', { className: 'num mono', text: resource.pid ?? '–' }),
      el('td', { className: 'num', text: uptime(resource.uptimeSeconds) }),
      el('td', { className: 'num', text: resource.restarts }),
      endpoints,
      el('td', {},
        el('a', { href: `console.html?resource=${encodeURIComponent(resource.name)}`, text: 'Console' }), ' · ',
        el('a', { href: `traces.html?service=${encodeURIComponent(resource.name)}`, text: 'Traces' }), ' · ',
        el('a', { href: `logs.html?service=${encodeURIComponent(resource.name)}`, text: 'Logs' })));
  }

  async function refresh() {
    const resources = await getJson('/api/resources');
    const running = resources.filter(r => r.state === 'Running').length;
    const healthy = resources.filter(r => r.health === 'Healthy').length;
    const restarts = resources.reduce((sum, r) => sum + r.restarts, 0);
    document.getElementById('summary').replaceChildren(
      stat(resources.length, 'resources'), stat(running, 'running'), stat(healthy, 'healthy'), stat(restarts, 'restarts'));
    const body = document.getElementById('resources');
    body.replaceChildren(...(resources.length ? resources.map(row)
      : [el('tr', {}, el('td', { colspan: 9, className: 'empty', text: 'No resource yet: the fleet is starting.' }))]));
  }

  poll(refresh, 1000);
})();
