// One autocannon measurement: a warm-up, then a measured run, each bounded in time (autocannon's
// duration plus a watchdog that stops it) and in count (`amount` caps requests).
import autocannon from 'autocannon';
import { cpuMicrosOf, rssOf } from './processes.mjs';

const CONNECTIONS = 64;
const MAX_REQUESTS_PER_SECOND = 200_000;

function runOnce(options, seconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        ...options,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        maxOverallRequests: Math.ceil(seconds * MAX_REQUESTS_PER_SECOND),
      },
      (error, result) => {
        clearTimeout(watchdog);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const watchdog = setTimeout(() => instance.stop(), (seconds + 15) * 1000);
  });
}

/**
 * Warms up for `warmup` seconds, then measures for `duration` seconds, sampling the RSS of `pid`
 * meanwhile. Returns requests/s, p50/p99 latency (ms), the server's CPU time per request (µs, user +
 * system, every thread), the peak RSS and the error counts.
 */
export async function measure({ url, method = 'GET', headers = {}, body, pid, warmup, duration, drainUrl }) {
  const options = { url, method, headers, ...(body === undefined ? {} : { body }) };
  if (warmup > 0) await runOnce(options, warmup);
  if (warmup > 0 && drainUrl) await drain(drainUrl);
  let peakRss = pid === undefined ? undefined : rssOf(pid);
  const sampler =
    pid === undefined
      ? undefined
      : setInterval(() => {
          const rss = rssOf(pid);
          if (rss !== undefined && (peakRss === undefined || rss > peakRss)) peakRss = rss;
        }, 100);
  try {
    const cpuBefore = pid === undefined ? undefined : cpuMicrosOf(pid);
    const result = await runOnce(options, duration);
    const cpuAfter = pid === undefined ? undefined : cpuMicrosOf(pid);
    return {
      cpuPerRequest:
        cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
          ? undefined
          : (cpuAfter - cpuBefore) / result.requests.total,
      seconds: duration,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      responses: result['2xx'] + result.non2xx,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      peakRss,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    if (drainUrl) await drain(drainUrl);
  }
}

/**
 * Waits (at most 120 s) until `url` answers within 250 ms: requests queued by a run that outpaced the
 * server must not spill into the next measurement.
 */
async function drain(url) {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      if (performance.now() - started < 250) return;
    } catch {}
  }
}

/**
 * Median wall time of `count` sequential requests (one at a time, no load), each bounded by 60 s.
 * `before` runs, untimed, ahead of each: a write, so that no read is answered from the read cache.
 */
export async function serialLatency({ url, headers = {}, count = 5, before }) {
  const times = [];
  for (let i = 0; i < count; i++) {
    if (before) await before();
    const started = performance.now();
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const sum = (rounds, key) => rounds.reduce((total, round) => total + (round[key] ?? 0), 0);

/** Rounds of one target as one figure: mean rate, median p50, worst p99, summed counts. */
function combine(rounds) {
  const seconds = sum(rounds, 'seconds');
  const requests = sum(rounds, 'requests');
  const cpu = rounds.filter((round) => round.cpuPerRequest !== undefined);
  const rss = rounds.map((round) => round.peakRss).filter((value) => value !== undefined);
  return {
    rps: rounds.reduce((total, round) => total + round.rps * round.seconds, 0) / seconds,
    p50: median(rounds.map((round) => round.p50)),
    p99: Math.max(...rounds.map((round) => round.p99)),
    cpuPerRequest: cpu.length
      ? cpu.reduce((total, round) => total + round.cpuPerRequest * round.requests, 0) / sum(cpu, 'requests')
      : undefined,
    requests,
    responses: sum(rounds, 'responses'),
    non2xx: sum(rounds, 'non2xx'),
    errors: sum(rounds, 'errors'),
    timeouts: sum(rounds, 'timeouts'),
    peakRss: rss.length ? Math.max(...rss) : undefined,
    seconds,
  };
}

/**
 * A route and its baseline in alternating rounds, each warmed up first: drift on a shared machine
 * (other tenants, CPU frequency, the load generator's own state) then falls on both alike. The ratio
 * is the median of the rounds' ratios; `rounds` holds each round's pair of rates.
 */
export async function measurePair({ ours, baseline, warmup, duration, rounds }) {
  const slice = duration / rounds;
  const oursRounds = [];
  const baselineRounds = [];
  for (let i = 0; i < rounds; i++) {
    const first = i === 0 ? warmup : 0;
    baselineRounds.push(await measure({ ...baseline, warmup: first, duration: slice }));
    oursRounds.push(await measure({ ...ours, warmup: first, duration: slice }));
  }
  return {
    ours: combine(oursRounds),
    baseline: combine(baselineRounds),
    ratio: median(oursRounds.map((round, i) => round.rps / baselineRounds[i].rps)),
    rounds: oursRounds.map((round, i) => ({ ours: round.rps, baseline: baselineRounds[i].rps })),
  };
}
