'use strict';
// Console logs page: live tail of one resource's stdout/stderr through /api/resources/{name}/logs?after=N.
(() => {
  const { el, getJson, poll, time, params, setParams, highlight, debounce } = Dashboard;
  const MaxLines = 5000;
  const view = document.getElementById('console');
  const select = document.getElementById('resource');
  const search = document.getElementById('search');
  const follow = document.getElementById('follow');
  const count = document.getElementById('count');
  let resource = params().get('resource') ?? '';
  let lines = [];
  let after = 0;
  let hiddenBefore = 0;

  function matches(line, term) {
    return !term || line.text.toLowerCase().includes(term.toLowerCase());
  }

  function render(line, term) {
    const text = el('span', { className: 'text' });
    highlight(text, line.text, term);
    return el('div', { className: line.isError ? 'line err' : 'line', dataset: { sequence: line.sequence } },
      el('span', { className: 'ts', text: time(line.timestamp) }), text);
  }

  function updateCount() {
    const term = search.value.trim();
    const shown = term ? lines.filter(l => l.sequence > hiddenBefore && matches(l, term)).length : lines.filter(l => l.sequence > hiddenBefore).length;
    count.textContent = term ? `${shown} of ${lines.length} lines match` : `${shown} lines`;
  }

  function rerender() {
    const term = search.value.trim();
    view.replaceChildren(...lines.filter(l => l.sequence > hiddenBefore && matches(l, term)).map(l => render(l, term)));
    if (follow.checked) view.scrollTop = view.scrollHeight;
    updateCount();
  }

  async function tail() {
    if (!resource) return;
    const fresh = await getJson(`/api/resources/${encodeURIComponent(resource)}/logs?after=${after}`);
    if (fresh.length === 0) return;
    after = fresh[fresh.length - 1].sequence;
    lines.push(...fresh);
    const term = search.value.trim();
    const nodes = fresh.filter(l => matches(l, term)).map(l => render(l, term));
    if (lines.length > MaxLines) {
      const drop = lines.length - MaxLines;
      lines = lines.slice(drop);
      while (view.childElementCount + nodes.length > MaxLines && view.firstElementChild) view.firstElementChild.remove();
    }
    view.append(...nodes);
    if (follow.checked) view.scrollTop = view.scrollHeight;
    updateCount();
  }

  async function loadResources() {
    const resources = await getJson('/api/resources');
    select.replaceChildren(...resources.map(r => el('option', { value: r.name, text: `${r.name} (${r.type})` })));
    if (!resource || !resources.some(r => r.name === resource)) resource = resources[0]?.name ?? '';
    select.value = resource;
  }

  select.addEventListener('change', () => {
    resource = select.value;
    setParams({ resource });
    lines = []; after = 0; hiddenBefore = 0;
    view.replaceChildren();
    poller.now();
  });
  search.addEventListener('input', debounce(rerender, 150));
  follow.addEventListener('change', () => { if (follow.checked) view.scrollTop = view.scrollHeight; });
  view.addEventListener('scroll', () => {
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 30;
    if (!atBottom && follow.checked) follow.checked = false;
  });
  document.getElementById('clear').addEventListener('click', () => {
    hiddenBefore = after;
    rerender();
  });

  let poller;
  loadResources().finally(() => { poller = poll(tail, 1000); });
})();
