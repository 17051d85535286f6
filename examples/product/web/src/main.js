import './style.css';

const apiUrl = import.meta.env.VITE_API_URL.replace(/\/+$/, '');
const statusLine = document.getElementById('health-status');
const checkList = document.getElementById('health-checks');

/** One list item per backend check: name, ok/failed, latency, and the error when there is one. */
function renderChecks(checks) {
  checkList.replaceChildren(
    ...Object.entries(checks).map(([name, check]) => {
      const item = document.createElement('li');
      item.className = check.ok ? 'ok' : 'failed';
      const latency = typeof check.latencyMs === 'number' ? ` (${check.latencyMs} ms)` : '';
      item.textContent = `${name}: ${check.ok ? 'ok' : `failed: ${check.error ?? 'unknown error'}`}${latency}`;
      return item;
    }),
  );
}

async function showHealth() {
  try {
    const response = await fetch(`${apiUrl}/api/health`, { headers: { accept: 'application/json' } });
    const body = await response.json();
    statusLine.textContent = `${body.status} (${body.environment}, HTTP ${response.status})`;
    document.body.dataset.health = body.status;
    renderChecks(body.checks ?? {});
  } catch (error) {
    statusLine.textContent = `unreachable: ${error.message}`;
    document.body.dataset.health = 'unreachable';
  }
}

showHealth();
