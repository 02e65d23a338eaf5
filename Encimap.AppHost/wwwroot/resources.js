// Polls the resources API and renders the table; text is set through textContent, never innerHTML.
async function refresh() {
  const response = await fetch('/api/resources');
  const resources = await response.json();
  const body = document.getElementById('resources');
  body.replaceChildren(...resources.map(row));
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function row(resource) {
  const tr = document.createElement('tr');
  tr.append(
    cell(resource.name), cell(resource.type), cell(resource.state, resource.state),
    cell(resource.health, resource.health), cell(resource.pid), cell(resource.restarts),
    cell(resource.uptimeSeconds == null ? '' : `${Math.round(resource.uptimeSeconds)} s`));
  const endpoints = document.createElement('td');
  for (const endpoint of resource.endpoints) {
    const link = document.createElement('a');
    link.href = endpoint.url;
    link.textContent = `${endpoint.name} ${endpoint.url}`;
    endpoints.append(link, document.createElement('br'));
  }
  tr.append(endpoints);
  return tr;
}

refresh();
setInterval(refresh, 2000);
