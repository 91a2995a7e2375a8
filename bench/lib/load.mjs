// One autocannon measurement: a warm-up, then a measured run, each bounded in time (autocannon's
// duration plus a watchdog that stops it) and in count (`amount` caps requests).
import autocannon from 'autocannon';
import { cpuMicrosOf, rssOf } from './processes.mjs';

const CONNECTIONS = 64;
const MAX_REQUESTS_PER_SECOND = 200_000;

function runOnce(options, seconds, connections = CONNECTIONS) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        ...options,
        connections,
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

/** Cumulative readings of each counter (µs), e.g. the CPU time of PostgreSQL's processes. */
export const readCounters = (counters) =>
  Object.fromEntries(Object.entries(counters).map(([name, read]) => [name, read()]));

/** Counter growth per request, by counter name; undefined where a reading failed. */
export function perRequestOf(before, after, requests) {
  return Object.fromEntries(
    Object.keys(before).map((name) => [
      name,
      before[name] === undefined || after[name] === undefined || requests === 0
        ? undefined
        : (after[name] - before[name]) / requests,
    ]),
  );
}

/** Samples the peak RSS of `pid` every 100 ms until `stop()` returns it. */
function sampleRss(pid) {
  let peak = pid === undefined ? undefined : rssOf(pid);
  const sampler =
    pid === undefined
      ? undefined
      : setInterval(() => {
          const rss = rssOf(pid);
          if (rss !== undefined && (peak === undefined || rss > peak)) peak = rss;
        }, 100);
  return () => {
    if (sampler) clearInterval(sampler);
    return peak;
  };
}

function figuresOf(result, seconds, cpuPerRequest, peakRss) {
  return {
    cpuPerRequest,
    seconds,
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
}

/**
 * Warms up for `warmup` seconds, then measures for `duration` seconds, sampling the RSS of `pid`
 * meanwhile. Returns requests/s, p50/p99 latency (ms), the server's CPU time per request (µs, user +
 * system, every thread), the peak RSS and the error counts; with `counters` (name → cumulative µs),
 * also `cpuPerRequestOf`, each counter's growth per request over the measured run.
 */
export async function measure({
  url,
  method = 'GET',
  headers = {},
  body,
  pid,
  warmup,
  duration,
  drainUrl,
  connections = CONNECTIONS,
  counters,
}) {
  const options = { url, method, headers, ...(body === undefined ? {} : { body }) };
  if (warmup > 0) await runOnce(options, warmup, connections);
  if (warmup > 0 && drainUrl) await drain(drainUrl);
  const stopRss = sampleRss(pid);
  try {
    const cpuBefore = pid === undefined ? undefined : cpuMicrosOf(pid);
    const countersBefore = counters && readCounters(counters);
    const result = await runOnce(options, duration, connections);
    const countersAfter = counters && readCounters(counters);
    const cpuAfter = pid === undefined ? undefined : cpuMicrosOf(pid);
    const figures = figuresOf(
      result,
      duration,
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : (cpuAfter - cpuBefore) / result.requests.total,
      stopRss(),
    );
    if (counters) figures.cpuPerRequestOf = perRequestOf(countersBefore, countersAfter, figures.requests);
    return figures;
  } finally {
    stopRss();
    if (drainUrl) await drain(drainUrl);
  }
}

/**
 * Several servers loaded at the same time, one autocannon run of `connections` each (all in this
 * process), warmed up together. Returns each target's figures and their sum: requests/s added up,
 * the worst p99, and each counter's growth per request of all targets together.
 */
export async function measureTogether({ targets, connections, warmup, duration, counters = {} }) {
  const optionsOf = ({ url, method = 'GET', headers = {} }) => ({ url, method, headers });
  if (warmup > 0) await Promise.all(targets.map((t) => runOnce(optionsOf(t), warmup, connections)));
  for (const t of targets) if (warmup > 0 && t.drainUrl) await drain(t.drainUrl);
  const stops = targets.map((t) => sampleRss(t.pid));
  const cpuBefore = targets.map((t) => cpuMicrosOf(t.pid));
  const countersBefore = readCounters(counters);
  const results = await Promise.all(targets.map((t) => runOnce(optionsOf(t), duration, connections)));
  const countersAfter = readCounters(counters);
  const cpuAfter = targets.map((t) => cpuMicrosOf(t.pid));
  const each = results.map((result, i) =>
    figuresOf(
      result,
      duration,
      cpuBefore[i] === undefined || cpuAfter[i] === undefined || result.requests.total === 0
        ? undefined
        : (cpuAfter[i] - cpuBefore[i]) / result.requests.total,
      stops[i](),
    ),
  );
  for (const t of targets) if (t.drainUrl) await drain(t.drainUrl);
  const requests = sum(each, 'requests');
  return {
    each,
    combined: {
      seconds: duration,
      rps: sum(each, 'rps'),
      p50: Math.max(...each.map((f) => f.p50)),
      p99: Math.max(...each.map((f) => f.p99)),
      requests,
      responses: sum(each, 'responses'),
      non2xx: sum(each, 'non2xx'),
      errors: sum(each, 'errors'),
      timeouts: sum(each, 'timeouts'),
      cpuPerRequestOf: perRequestOf(countersBefore, countersAfter, requests),
    },
  };
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
export function combine(rounds) {
  const seconds = sum(rounds, 'seconds');
  const requests = sum(rounds, 'requests');
  const cpu = rounds.filter((round) => round.cpuPerRequest !== undefined);
  const rss = rounds.map((round) => round.peakRss).filter((value) => value !== undefined);
  const combined = {
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
  const counterNames = [...new Set(rounds.flatMap((round) => Object.keys(round.cpuPerRequestOf ?? {})))];
  if (counterNames.length) {
    combined.cpuPerRequestOf = Object.fromEntries(
      counterNames.map((name) => {
        const read = rounds.filter((round) => round.cpuPerRequestOf?.[name] !== undefined);
        return [
          name,
          read.length
            ? read.reduce((total, round) => total + round.cpuPerRequestOf[name] * round.requests, 0) /
              sum(read, 'requests')
            : undefined,
        ];
      }),
    );
  }
  return combined;
}

/**
 * Targets measured in alternating rounds, each warmed up in its first round: drift on a shared
 * machine (other tenants, CPU frequency, the load generator's own state) then falls on all alike.
 * `targets` maps a key to `(warmup, seconds) => figures`, run in the order given. Returns each key's
 * rounds combined, each round's figures, and `ratio(a, b)`: the median of the rounds' a ÷ b rates.
 */
export async function measureRounds({ targets, warmup, duration, rounds }) {
  const slice = duration / rounds;
  const byKey = Object.fromEntries(Object.keys(targets).map((key) => [key, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [key, run] of Object.entries(targets)) byKey[key].push(await run(i === 0 ? warmup : 0, slice));
  }
  return {
    combined: Object.fromEntries(Object.entries(byKey).map(([key, list]) => [key, combine(list)])),
    rounds: byKey,
    ratio: (a, b) => median(byKey[a].map((round, i) => round.rps / byKey[b][i].rps)),
  };
}

/**
 * A route and its baseline in alternating rounds (`measureRounds`), the baseline first. The ratio is
 * the median of the rounds' ratios; `rounds` holds each round's pair of rates.
 */
export async function measurePair({ ours, baseline, warmup, duration, rounds }) {
  const measured = await measureRounds({
    targets: {
      baseline: (first, slice) => measure({ ...baseline, warmup: first, duration: slice }),
      ours: (first, slice) => measure({ ...ours, warmup: first, duration: slice }),
    },
    warmup,
    duration,
    rounds,
  });
  return {
    ours: measured.combined.ours,
    baseline: measured.combined.baseline,
    ratio: measured.ratio('ours', 'baseline'),
    rounds: measured.rounds.ours.map((round, i) => ({
      ours: round.rps,
      baseline: measured.rounds.baseline[i].rps,
    })),
  };
}
