import { Histogram, type MetricValueWithName, type Registry } from 'prom-client';

/** One method and route: its answers by status, its durations by bucket. */
interface RouteSeries {
  method: string;
  route: string;
  statuses: Map<number, number>;
  /** Per bucket of `bounds`, not cumulative; the last counts what is over every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Answered requests counted in plain numbers, read when metrics are scraped. prom-client's own
 * `inc` and `observe` build and hash a label string on every call, a microsecond or more per request
 * on the hot path (issue 15); here a request costs two map lookups on strings that are the same
 * objects every time (the route pattern, the method) and a few increments.
 */
export class RequestCounts {
  readonly #byRoute = new Map<string, Map<string, RouteSeries>>();

  /** @param bounds the histogram's upper bounds in seconds, increasing */
  constructor(readonly bounds: readonly number[]) {}

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#byRoute.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#byRoute.set(route, byMethod);
    }
    let series = byMethod.get(method);
    if (series === undefined) {
      series = {
        method,
        route,
        statuses: new Map(),
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byMethod.set(method, series);
    }
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket++;
    series.buckets[bucket] = (series.buckets[bucket] ?? 0) + 1;
    series.sum += seconds;
    series.count++;
  }

  *series(): Iterable<RouteSeries> {
    for (const byMethod of this.#byRoute.values()) yield* byMethod.values();
  }
}

type Label = 'method' | 'route' | 'le';
type Values = Awaited<ReturnType<Histogram<Label>['get']>>;

/**
 * The histogram of the durations `RequestCounts` holds: a prom-client histogram whose series are read
 * from those counts when scraped, rather than observed one by one.
 */
export class CountedDurations extends Histogram<Label> {
  readonly #name: string;
  readonly #help: string;
  readonly #counts: RequestCounts;

  constructor(config: { name: string; help: string; registers: Registry[] }, counts: RequestCounts) {
    super({ ...config, labelNames: ['method', 'route'], buckets: [...counts.bounds] });
    this.#name = config.name;
    this.#help = config.help;
    this.#counts = counts;
  }

  override get(): Promise<Values> {
    return this.getForPromString();
  }

  /** What the registry writes out: it asks for this before `get`. */
  async getForPromString(): Promise<Values> {
    const values: MetricValueWithName<Label>[] = [];
    const bucket = `${this.#name}_bucket`;
    const { bounds } = this.#counts;
    for (const { method, route, buckets, sum, count } of this.#counts.series()) {
      let cumulative = 0;
      bounds.forEach((le, i) => {
        cumulative += buckets[i] ?? 0;
        values.push({ metricName: bucket, labels: { method, route, le }, value: cumulative });
      });
      values.push(
        { metricName: bucket, labels: { method, route, le: '+Inf' }, value: count },
        { metricName: `${this.#name}_sum`, labels: { method, route }, value: sum },
        { metricName: `${this.#name}_count`, labels: { method, route }, value: count },
      );
    }
    // prom-client's typings give `type` as a numeric enum; at run time it is the text of the format.
    return {
      name: this.#name,
      help: this.#help,
      type: 'histogram',
      aggregator: 'sum',
      values,
    } as unknown as Values;
  }
}
