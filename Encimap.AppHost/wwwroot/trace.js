'use strict';
// One trace: a waterfall of its spans (tree order, bars placed by start offset and duration) and
// the selected span's attributes, events and resource.
(() => {
  const { el, fill, getJson, poll, duration, time, chip, badge, color, params, kvTable } = Dashboard;
  const traceId = (params().get('id') ?? '').trim().toLowerCase();
  const head = document.getElementById('trace-head');
  const waterfall = document.getElementById('waterfall');
  const details = document.getElementById('details');
  let selected = params().get('span');
  let shownSpans = -1;
  let trace = null;

  function tickLabels(total) {
    const ticks = el('div', { className: 'wf-ticks' });
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      ticks.append(el('span', { text: duration(total * fraction), style: { left: `${fraction * 100}%` } }));
    }
    return ticks;
  }

  function gridLines() {
    return [0.25, 0.5, 0.75].map(f => el('div', { className: 'wf-grid', style: { left: `${f * 100}%` } }));
  }

  function spanRow(span, total) {
    const left = total > 0 ? 100 * span.startOffsetMs / total : 0;
    const width = total > 0 ? Math.max(0.3, 100 * span.durationMs / total) : 100;
    const label = el('span', { className: 'wf-label', text: duration(span.durationMs) });
    if (width >= 22) { label.style.left = `calc(${left}% + 6px)`; label.style.color = '#fff'; }
    else if (left + width > 78) label.style.right = `calc(${100 - left}% + 6px)`;
    else label.style.left = `calc(${left + width}% + 6px)`;
    const name = el('div', { className: 'wf-name', style: { paddingLeft: `${0.8 + span.depth * 1.1}rem` }, title: `${span.service}: ${span.name}` },
      el('span', { className: 'dot', style: { background: color(span.service) } }),
      span.status === 'Error' ? el('span', { text: '⚠ ', style: { color: '#c62828' } }) : null,
      el('span', { text: span.name }),
      el('span', { className: 'svc', text: span.service }));
    const track = el('div', { className: 'wf-track' }, gridLines(),
      el('div', { className: span.status === 'Error' ? 'wf-bar error' : 'wf-bar', style: { left: `${left}%`, width: `${width}%`, background: color(span.service) } }),
      label);
    const row = el('div', {
      className: span.spanId === selected ? 'wf-row span-row selected' : 'wf-row span-row',
      dataset: { spanId: span.spanId, service: span.service, name: span.name },
      onclick: () => select(span.spanId),
    }, name, track);
    return row;
  }

  function select(spanId) {
    selected = spanId;
    for (const row of waterfall.querySelectorAll('.span-row')) row.classList.toggle('selected', row.dataset.spanId === spanId);
    const span = trace.spans.find(s => s.spanId === spanId);
    if (!span) { details.hidden = true; return; }
    const facts = [
      { key: 'service', value: span.service }, { key: 'kind', value: span.kind },
      { key: 'status', value: span.statusMessage ? `${span.status}: ${span.statusMessage}` : span.status },
      { key: 'start', value: `${time(span.startTime)} (+${duration(span.startOffsetMs)})` }, { key: 'duration', value: duration(span.durationMs) },
      { key: 'span id', value: span.spanId }, { key: 'parent span id', value: span.parentSpanId || '(root)' },
      { key: 'instrumentation scope', value: span.scope || '–' },
    ];
    const events = span.events.length === 0 ? el('div', { className: 'muted', text: 'none' })
      : el('div', {}, span.events.map(e => el('div', { className: 'event' },
          el('div', {}, el('strong', { text: e.name }), el('span', { className: 'muted', text: `  +${duration(e.offsetMs)}` })),
          e.attributes.length ? kvTable(e.attributes) : null)));
    fill(details, 
      el('h2', {}, chip(span.service), span.name),
      kvTable(facts),
      el('h3', { text: `Attributes (${span.attributes.length})` }), kvTable(span.attributes),
      el('h3', { text: `Events (${span.events.length})` }), events,
      span.links.length ? el('h3', { text: 'Links' }) : null,
      span.links.length ? el('div', {}, span.links.map(l => el('div', { className: 'mono' }, el('a', { href: `trace.html?id=${l.traceId}`, text: `${l.traceId} / ${l.spanId}` })))) : null,
      el('details', {}, el('summary', { text: 'Resource' }), kvTable(span.resource)));
    details.hidden = false;
  }

  function render() {
    const summary = trace.trace;
    const total = summary.durationMs;
    document.title = `${summary.rootName} · Trace · Encimap AppHost`;
    fill(head, 
      el('h1', { text: summary.rootName || '(no name)' }),
      el('div', { className: 'meta' }, el('span', { className: 'mono', text: summary.traceId })),
      el('div', { className: 'meta', text: `${time(summary.startTime)} · ${duration(total)} · ${summary.spanCount} spans` }),
      el('div', {}, summary.services.map(chip)),
      summary.errorCount ? badge(`${summary.errorCount} errors`, 'error') : null,
      el('a', { href: `logs.html?traceId=${summary.traceId}`, text: 'Structured logs of this trace →' }));
    const header = el('div', { className: 'wf-row header' }, el('div', { className: 'wf-name', text: 'Span' }), tickLabels(total));
    fill(waterfall, header, ...trace.spans.map(s => spanRow(s, total)));
    if (!selected || !trace.spans.some(s => s.spanId === selected)) selected = trace.spans[0]?.spanId;
    if (selected) select(selected);
  }

  async function refresh() {
    if (!traceId) {
      fill(head, el('h1', { text: 'No trace id' }));
      return;
    }
    try {
      trace = await getJson(`/api/traces/${encodeURIComponent(traceId)}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      fill(head, el('h1', { text: 'Trace not found' }),
        el('div', { className: 'meta', text: `${traceId}: not received yet, or already evicted from memory.` }));
      return;
    }
    // Spans of other services arrive a moment later: redraw while the trace grows.
    if (trace.spans.length !== shownSpans) {
      shownSpans = trace.spans.length;
      render();
    }
  }

  poll(refresh, 2000);
})();
