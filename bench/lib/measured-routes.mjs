// The routes a bench run measures, shared by the SQLite and the PostgreSQL runs, and the scale
// measurement of a running userflare at one row count.
import { measure, serialLatency } from './load.mjs';
import { BOOTSTRAP_TOKEN } from './processes.mjs';

export const API = '/client/v4';
export const AUTH = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` };
export const AUDIT_QUERY = '/user/audit_logs?per_page=100&action.type=update';
export const AUDIT_UNFILTERED_QUERY = '/user/audit_logs?per_page=100';
export const TOKENS_QUERY = '/user/tokens?per_page=50';
export const NEW_TOKEN = JSON.stringify({
  name: 'bench created token',
  policies: [
    {
      effect: 'allow',
      permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
      resources: { 'com.cloudflare.api.account.zone.*': '*' },
    },
  ],
});

export async function fetchBody(url, headers = AUTH) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** A `PATCH /user`: any write, so that the next read is not answered from a read cache. */
export async function writeOnce(uf) {
  const response = await fetch(`${uf.url}${API}/user`, {
    method: 'PATCH',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ first_name: 'Bench' }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`PATCH /user answered ${response.status}`);
}

export const describeLoad = (figures) =>
  `${Math.round(figures.rps)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms` +
  (figures.non2xx || figures.errors || figures.timeouts
    ? ` (non-2xx ${figures.non2xx}, errors ${figures.errors}, timeouts ${figures.timeouts})`
    : '');

/**
 * The token list and the audit pages of `uf` at `rows` rows: each one request at a time after a
 * write (the query's own cost, not the read cache's), then, with `underLoad`, the token list and the
 * filtered audit page under load. `measureOptions` go to each load run (e.g. `counters`).
 */
export async function measureScale({ uf, rows, log, underLoad, warmup, duration, measureOptions = {} }) {
  const entry = { rows, serial: {} };
  for (const [key, path] of [
    ['tokens', TOKENS_QUERY],
    ['audit', AUDIT_QUERY],
    ['auditUnfiltered', AUDIT_UNFILTERED_QUERY],
  ]) {
    entry.serial[key] = await serialLatency({
      url: `${uf.url}${API}${path}`,
      headers: AUTH,
      before: () => writeOnce(uf),
    });
    log(
      `scale ${rows} ${key}: one request after a write takes ${entry.serial[key].toFixed(1)} ms (median of 5)`,
    );
  }
  if (!underLoad) return entry;
  for (const [key, path] of [
    ['tokens', TOKENS_QUERY],
    ['audit', AUDIT_QUERY],
  ]) {
    entry[key] = await measure({
      url: `${uf.url}${API}${path}`,
      headers: AUTH,
      pid: uf.pid,
      drainUrl: `${uf.url}/readyz`,
      warmup,
      duration,
      ...measureOptions,
    });
    log(`scale ${rows} ${key}: ${describeLoad(entry[key])}`);
  }
  return entry;
}
