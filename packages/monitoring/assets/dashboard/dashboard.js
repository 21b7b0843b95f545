// Sluice dashboard: polls the REST API once a second and renders the job graph, checkpoints,
// Kafka lag, file sink status, sink metrics and the last exception, and offers the control calls
// when the server allows them. Plain DOM, no framework; every value from the job is set as text
// (never as HTML).
const SVG = 'http://www.w3.org/2000/svg';
// Metrics shown elsewhere (graph, file sink panel), left out of the sink metrics table.
const STANDARD = new Set([
  'numRecordsIn', 'numRecordsOut', 'numRecordsInPerSecond', 'numRecordsOutPerSecond',
  'currentInputWatermark', 'accumulatedBackPressuredTimeMs', 'backPressuredTimeMsPerSecond',
  'numBytesIn', 'numBytesOut', 'partsInProgress', 'partsPending', 'partsFinished',
]);
let selected = new URLSearchParams(location.search).get('job');
let config = null;
let currentState = null;
// Previous byte counts, to show rates: key → { value, at }.
const lastBytes = new Map();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
async function get(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}
function rate(n) {
  if (n === null || n === undefined) return '–';
  return n >= 100 ? Math.round(n).toLocaleString() : n.toFixed(1);
}
function bytes(n) {
  if (n === undefined || n === null) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
function bytesPerSecond(n) {
  return n === null || n === undefined ? '–' : `${bytes(Math.round(n))}/s`;
}
// Per-second rate of a growing count since the previous poll (null on the first one or after a reset).
function perSecond(key, value, now) {
  if (value === null || value === undefined) return null;
  const before = lastBytes.get(key);
  lastBytes.set(key, { value, at: now });
  if (!before || now <= before.at || value < before.value) return null;
  return ((value - before.value) * 1000) / (now - before.at);
}
function byteRates(job) {
  const now = Date.now();
  const out = new Map();
  for (const vertex of job.vertices) {
    const m = vertex.metrics ?? {};
    out.set(vertex.uid, {
      in: perSecond(`${job.jobId}/${vertex.uid}/in`, m.numBytesIn, now),
      out: perSecond(`${job.jobId}/${vertex.uid}/out`, m.numBytesOut, now),
    });
  }
  return out;
}
function ms(n) {
  if (n === undefined || n === null) return '–';
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}
function duration(n) {
  const s = Math.floor(n / 1000);
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

function renderGraph(job, rates) {
  const container = document.getElementById('job-graph');
  const depth = new Map();
  for (const vertex of job.vertices) {
    const inputs = job.edges.filter((e) => e.target === vertex.uid).map((e) => depth.get(e.source) ?? 0);
    depth.set(vertex.uid, inputs.length === 0 ? 0 : Math.max(...inputs) + 1);
  }
  const columns = new Map();
  for (const vertex of job.vertices) {
    const d = depth.get(vertex.uid);
    columns.set(d, [...(columns.get(d) ?? []), vertex]);
  }
  const withBytes = job.vertices.some((v) => v.metrics && (v.metrics.numBytesIn !== null || v.metrics.numBytesOut !== null));
  const W = 210, H = withBytes ? 108 : 92, GX = 70, GY = 24;
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const width = columns.size * (W + GX) - GX + 20;
  const height = rows * (H + GY) - GY + 20;
  const position = new Map();
  for (const [d, vertices] of columns) {
    vertices.forEach((v, i) => position.set(v.uid, { x: 10 + d * (W + GX), y: 10 + i * (H + GY) }));
  }
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Job graph' });
  root.style.maxWidth = `${width}px`;
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c96a3' }));
  defs.append(marker);
  root.append(defs);
  for (const edge of job.edges) {
    const a = position.get(edge.source), b = position.get(edge.target);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    root.append(svg('path', { class: 'edge', d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }));
    root.append(svg('text', { class: 'edge-label', x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 5, 'text-anchor': 'middle' }, edge.partitioning.toUpperCase()));
  }
  for (const vertex of job.vertices) {
    const p = position.get(vertex.uid);
    const m = vertex.metrics ?? {};
    const bp = m.backPressuredTimeMsPerSecond ?? 0;
    const g = svg('g', { class: `vertex${bp > 100 ? ' backpressured' : ''}`, 'data-uid': vertex.uid, transform: `translate(${p.x},${p.y})` });
    g.append(svg('rect', { width: W, height: H, rx: 6 }));
    g.append(svg('text', { class: 'title', x: 10, y: 18 }, `${vertex.name}`));
    g.append(svg('text', { x: 10, y: 35 }, `${vertex.kind} · ${vertex.uid} · ×${vertex.parallelism}`));
    g.append(svg('text', { x: 10, y: 52, class: 'rates' }, `in ${rate(m.numRecordsInPerSecond)}/s · out ${rate(m.numRecordsOutPerSecond)}/s`));
    g.append(svg('text', { x: 10, y: 68 }, `records in ${(m.numRecordsIn ?? 0).toLocaleString()} · out ${(m.numRecordsOut ?? 0).toLocaleString()}`));
    g.append(svg('text', { x: 10, y: 84 }, `back-pressure ${Math.round(bp)} ms/s`));
    if (m.numBytesIn != null || m.numBytesOut != null) {
      const r = rates.get(vertex.uid);
      const parts = [
        ...(m.numBytesIn != null ? [`in ${bytesPerSecond(r.in)}`] : []),
        ...(m.numBytesOut != null ? [`out ${bytesPerSecond(r.out)}`] : []),
      ];
      g.append(svg('text', { x: 10, y: 100, class: 'bytes' }, `bytes ${parts.join(' · ')}`));
    }
    root.append(g);
  }
  container.replaceChildren(root);
}

function renderCheckpoints(data) {
  document.getElementById('checkpoint-counts').textContent = `(${data.completed} completed, ${data.failed} failed)`;
  const body = document.querySelector('#checkpoints tbody');
  body.replaceChildren(
    ...data.history.slice(0, 15).map((c) =>
      el('tr', { 'data-status': c.status, 'data-id': c.id },
        el('td', {}, c.id),
        el('td', { class: `status-${c.status}` }, c.status.replace('_', ' ') + (c.final ? ' (final)' : '')),
        el('td', {}, new Date(c.triggerTimestamp).toLocaleTimeString()),
        el('td', {}, ms(c.durationMs)),
        el('td', {}, bytes(c.sizeBytes)),
        el('td', {}, ms(c.alignmentMs)),
      ),
    ),
  );
}

function renderKafka(data) {
  const body = document.querySelector('#kafka-lag tbody');
  body.replaceChildren(
    ...data.partitions.map((p) =>
      el('tr', { 'data-topic': p.topic, 'data-partition': p.partition },
        el('td', {}, p.topic), el('td', {}, p.partition), el('td', {}, p.subtask),
        el('td', {}, p.currentOffset ?? '–'), el('td', {}, p.committedOffset ?? '–'), el('td', {}, p.lag ?? '–'),
      ),
    ),
  );
  document.getElementById('kafka-empty').hidden = data.partitions.length > 0;
}

function renderFileSinks(data, rates) {
  const section = document.getElementById('file-sinks');
  section.hidden = data.sinks.length === 0;
  section.querySelector('tbody').replaceChildren(
    ...data.sinks.map((s) =>
      el('tr', { 'data-operator': s.operator },
        el('td', {}, s.operator), el('td', {}, s.subtasks),
        el('td', { class: 'in-progress' }, s.partsInProgress), el('td', { class: 'pending' }, s.partsPending),
        el('td', { class: 'finished' }, s.partsFinished), el('td', { class: 'bytes-written' }, bytes(s.bytesWritten)),
        el('td', { class: 'write-rate' }, bytesPerSecond(rates.get(s.operator)?.out)),
      ),
    ),
  );
}

function renderSinks(job, metrics) {
  const sinks = new Set(job.vertices.filter((v) => v.kind === 'sink').map((v) => v.uid));
  const rows = metrics.metrics.filter((m) => sinks.has(m.labels.operator_id) && !STANDARD.has(m.name));
  const body = document.querySelector('#sinks tbody');
  body.replaceChildren(
    ...rows.slice(0, 40).map((m) =>
      el('tr', {}, el('td', {}, `${m.labels.operator_id}[${m.labels.subtask_index}]`),
        el('td', {}, [...m.groups, m.name].join('.')), el('td', {}, m.value ?? '–')),
    ),
  );
  if (rows.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'No sink metrics.')));
}

function renderException(job) {
  const box = document.getElementById('last-exception');
  const e = job.lastException;
  if (!e) return box.replaceChildren(el('p', { class: 'muted' }, 'None.'));
  box.replaceChildren(
    el('p', { class: 'error-title' }, `${e.name}${e.code ? ` (${e.code})` : ''}`),
    el('p', {}, e.message),
    el('p', { class: 'muted' }, `${new Date(e.timestamp).toLocaleString()}${e.operator ? ` · operator ${e.operator}` : ''}${e.subtask !== undefined ? ` · subtask ${e.subtask}` : ''}`),
    ...(e.stack ? [el('details', {}, el('summary', {}, 'Stack'), el('pre', {}, e.stack))] : []),
  );
}

async function refresh() {
  const { jobs } = await get('jobs');
  const select = document.getElementById('job-select');
  if (!selected || !jobs.some((j) => j.jobId === selected)) selected = jobs[0]?.jobId ?? null;
  select.replaceChildren(...jobs.map((j) => el('option', { value: j.jobId }, `${j.jobName} (${j.jobId.slice(0, 8)})`)));
  if (selected) select.value = selected;
  if (!selected) return;
  const base = `jobs/${encodeURIComponent(selected)}`;
  const [job, checkpoints, kafka, fileSinks, metrics] = await Promise.all([
    get(base), get(`${base}/checkpoints`), get(`${base}/kafka`), get(`${base}/file-sinks`), get(`${base}/metrics`),
  ]);
  currentState = job.state;
  renderControl();
  const state = document.getElementById('job-state');
  state.textContent = job.state;
  state.className = `state ${job.state}`;
  document.getElementById('job-uptime').textContent = `up ${duration(job.durationMs)}`;
  document.getElementById('job-restarts').textContent = `${job.restarts} restarts`;
  const rates = byteRates(job);
  renderGraph(job, rates);
  renderCheckpoints(checkpoints);
  renderKafka(kafka);
  renderFileSinks(fileSinks, rates);
  renderSinks(job, metrics);
  renderException(job);
}

// Control buttons: enabled only when the server has allowControl and the job is running.
function renderControl() {
  const why = !config
    ? 'Loading…'
    : !config.allowControl
      ? 'Control is off: start monitoring with allowControl and a token to enable it.'
      : currentState !== 'running'
        ? `The job is ${currentState ?? 'not selected'}.`
        : null;
  document.getElementById('control-token').hidden = !config?.allowControl;
  for (const id of ['trigger-checkpoint', 'cancel-job']) {
    const button = document.getElementById(id);
    button.disabled = why !== null;
    if (why === null) button.removeAttribute('title');
    else button.title = why;
  }
}

function showControlResult(text, ok) {
  const result = document.getElementById('control-result');
  result.textContent = text;
  result.className = ok ? 'ok' : 'error';
}

async function control(action) {
  const token = document.getElementById('control-token').value;
  if (token === '') {
    document.getElementById('control-token').focus();
    return showControlResult('Enter the control token first.', false);
  }
  if (action === 'cancel' && !confirm('Cancel the job? It takes a final checkpoint and stops.')) return;
  showControlResult(action === 'cancel' ? 'Cancelling…' : 'Checkpoint triggered, waiting for it…', true);
  try {
    const response = await fetch(`jobs/${encodeURIComponent(selected)}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
    const body = await response.json();
    if (!response.ok) return showControlResult(`Refused (HTTP ${response.status}, ${body.error?.code}): ${body.error?.message}`, false);
    showControlResult(action === 'cancel' ? 'Cancel requested.' : `Checkpoint ${body.checkpointId} completed.`, true);
  } catch (error) {
    showControlResult(`Failed: ${error.message}`, false);
  }
  refresh().catch(() => undefined);
}

async function loop() {
  const connection = document.getElementById('connection');
  try {
    config ??= await get('config');
    await refresh();
    connection.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    connection.textContent = `disconnected: ${error.message}`;
  }
  setTimeout(loop, 1000);
}

document.getElementById('trigger-checkpoint').addEventListener('click', () => void control('checkpoints'));
document.getElementById('cancel-job').addEventListener('click', () => void control('cancel'));
document.getElementById('control').addEventListener('submit', (event) => event.preventDefault());
document.getElementById('job-select').addEventListener('change', (event) => {
  selected = event.target.value;
  refresh().catch(() => undefined);
});
void loop();
