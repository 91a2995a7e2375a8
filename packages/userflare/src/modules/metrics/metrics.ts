import type { DenialReason } from '@userflare/contract';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Store } from '../../db/create-database.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { CountedDurations, RequestCounts } from './request-counts.js';

/**
 * Seconds: a cached read answers in well under a millisecond, a PostgreSQL write in a few, a request
 * held by a slow database or a statement timeout (30 s by default) in seconds.
 */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The `route` label of a request no route matched (a 404), so that no raw path becomes a label. */
export const UNMATCHED_ROUTE = 'unmatched';
/** The `route` label of a request handed to a namespace's app (`/ns/<id>/…`): namespaces are not counted apart. */
export const NAMESPACE_ROUTE = 'namespace';

/** A refusal's reason: the denial's (REFERENCE §8), or the admin plane's key refused. */
export type RefusalReason = DenialReason | 'invalid_admin_key';

/** What the metrics read when scraped, besides what the request hooks count. */
export interface MetricsSources {
  /** The store: its read cache's counts, and its connection pool on PostgreSQL. */
  store: Pick<Store, 'reads' | 'poolStats'>;
  /** The rate limits, when any is configured: their rejections. */
  limits?: RateLimits | undefined;
}

/**
 * Process metrics (CPU, memory, event loop lag, GC) are the process's, whatever the number of apps in
 * it: one registry for them all, made at the first scrape, so that a test process building many apps
 * starts no event loop monitor or GC observer per app, nor any unless someone scrapes.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A counter whose value is a plain count kept elsewhere, read when scraped: nothing runs per event. */
function countedFrom<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<[Partial<Record<L, string>>, number]>,
): void {
  const counter: Counter<L> = new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      counter.reset();
      for (const [labels, value] of read()) counter.inc(labels, value);
    },
  });
}

/**
 * One app's metrics, in a registry of its own (never prom-client's global one: a process may hold
 * several apps, in tests and through the harness). The hooks of `installMetrics` count requests and
 * refusals; everything is kept as plain counts and turned into Prometheus series only when `/metrics`
 * is scraped.
 *
 * @example
 * const metrics = new Metrics({ store, limits });
 * installMetrics(app, metrics);
 * await app.register(metricsRoute(metrics, metricsGuard((key) => adminKey.matches(key))));
 */
export class Metrics {
  readonly registry = new Registry();
  #exposed: Registry | undefined;
  readonly #requests = new RequestCounts(DURATION_BUCKETS);
  readonly #refusals: Counter<'reason' | 'reported_only'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const requests = this.#requests;
    countedFrom(
      this.registry,
      'userflare_http_requests_total',
      'HTTP requests answered, by method, route pattern and status',
      ['method', 'route', 'status'],
      function* () {
        for (const { method, route, statuses } of requests.series()) {
          for (const [status, count] of statuses) yield [{ method, route, status: String(status) }, count];
        }
      },
    );
    // Registered by its constructor, as every prom-client metric is.
    new CountedDurations(
      {
        name: 'userflare_http_request_duration_seconds',
        help: 'Time from a request arriving to its answer being sent, by method and route pattern',
        registers,
      },
      requests,
    );
    this.#refusals = new Counter({
      name: 'userflare_authentication_refusals_total',
      help: 'Requests refused for their credential or its permissions, by reason; reported_only="true" when enforcement is report and the request went through',
      labelNames: ['reason', 'reported_only'],
      registers,
    });
    const { limits, store } = sources;
    countedFrom(
      this.registry,
      'userflare_rate_limit_rejections_total',
      'Requests answered 429 by a rate limit, by limit (user, address, auth_failures)',
      ['limit'],
      () => Object.entries(limits?.rejections ?? {}).map(([limit, count]) => [{ limit }, count]),
    );
    const { reads } = store;
    if (reads.counts) {
      const counts = () => reads.counts?.() ?? { hits: 0, misses: 0 };
      countedFrom(
        this.registry,
        'userflare_read_cache_hits_total',
        'Store reads served by the read cache without a load of their own',
        [],
        () => [[{}, counts().hits]],
      );
      countedFrom(
        this.registry,
        'userflare_read_cache_misses_total',
        'Store reads that loaded from the store',
        [],
        () => [[{}, counts().misses]],
      );
      if (reads.counts().snapshotChecks !== undefined) {
        countedFrom(
          this.registry,
          'userflare_read_cache_snapshot_checks_total',
          'Round trips asking PostgreSQL for its snapshot before using kept reads (USERFLARE_PG_CACHE=exact)',
          [],
          () => [[{}, counts().snapshotChecks ?? 0]],
        );
      }
    }
    const { poolStats } = store;
    if (poolStats) {
      const connections: Gauge<'state'> = new Gauge({
        name: 'userflare_postgres_pool_connections',
        help: 'Connections of the PostgreSQL pool, by state (in_use, idle)',
        labelNames: ['state'],
        registers,
        collect() {
          const { total, idle } = poolStats();
          connections.set({ state: 'in_use' }, total - idle);
          connections.set({ state: 'idle' }, idle);
        },
      });
      const waiting: Gauge = new Gauge({
        name: 'userflare_postgres_pool_waiting',
        help: 'Queries and transactions waiting for a connection of the PostgreSQL pool, every one being in use',
        registers,
        collect() {
          waiting.set(poolStats().waiting);
        },
      });
      const max: Gauge = new Gauge({
        name: 'userflare_postgres_pool_max_connections',
        help: 'The size of the PostgreSQL pool (USERFLARE_DATABASE_POOL_SIZE)',
        registers,
        collect() {
          max.set(poolStats().max);
        },
      });
    }
  }

  /** Counts one answered request; `elapsedMs` as Fastify measures it (`reply.elapsedTime`). */
  observeRequest(method: string, route: string, status: number, elapsedMs: number): void {
    this.#requests.record(method, route, status, elapsedMs / 1000);
  }

  countRefusal(reason: RefusalReason, reportedOnly: boolean): void {
    this.#refusals.inc({ reason, reported_only: String(reportedOnly) });
  }

  /** The content type of `exposition()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** This app's metrics and the process's, in Prometheus text format. */
  exposition(): Promise<string> {
    this.#exposed ??= Registry.merge([this.registry, processMetrics()]);
    return this.#exposed.metrics();
  }
}
