/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (prometheus.io, "Exposition formats"),
 * for tests: it throws on any line the format does not allow rather than guessing. The npm parser of
 * this format (parse-prometheus-text-format 1.1.1) drops the labels, sums and counts of labelled
 * histograms and accepts malformed samples, so it could not check what these tests check.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum` and `x_count` for a histogram `x`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's `strconv.ParseFloat`): NaN and Inf in any case. prom-client writes `Nan`. */
function parseValue(text: string, line: number): number {
  const word = text.toLowerCase();
  if (word === 'nan') return Number.NaN;
  if (['inf', '+inf', 'infinity', '+infinity'].includes(word)) return Number.POSITIVE_INFINITY;
  if (['-inf', '-infinity'].includes(word)) return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

function unescaped(text: string, allowQuote: boolean, line: number): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && allowQuote) return '"';
    throw new Error(`line ${line}: bad escape \\${c}`);
  });
}

/** `{a="1",b="x\"y"}` at the start of `rest`: the labels and what follows the closing brace. */
function parseLabels(rest: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 1;
  for (;;) {
    if (rest[at] === '}') return { labels, rest: rest.slice(at + 1) };
    const name = LABEL_NAME.exec(rest.slice(at))?.[0];
    if (!name) throw new Error(`line ${line}: bad label name at "${rest.slice(at)}"`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    at += name.length;
    if (rest.slice(at, at + 2) !== '="') throw new Error(`line ${line}: expected =" after ${name}`);
    at += 2;
    let end = at;
    while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
    if (end >= rest.length) throw new Error(`line ${line}: unterminated value of ${name}`);
    labels[name] = unescaped(rest.slice(at, end), true, line);
    at = end + 1;
    if (rest[at] === ',') at++;
    else if (rest[at] !== '}') throw new Error(`line ${line}: expected , or } after ${name}`);
  }
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(name: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (!suffix) return undefined;
  const family = families.get(name.slice(0, -suffix[0].length));
  if (family?.type === 'histogram') return family;
  if (family?.type === 'summary' && suffix[1] !== 'bucket') return family;
  return undefined;
}

/**
 * Every metric family of `text`, in order. Throws when a line is malformed, a family is declared twice
 * or after its samples, the samples of a family are not together, or a series appears twice.
 */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  const declare = (name: string, line: number): MetricFamily => {
    let family = families.get(name);
    if (!family) {
      if (closed.has(name)) throw new Error(`line ${line}: ${name} declared after its samples`);
      family = { name, help: '', type: 'untyped', samples: [] };
      families.set(name, family);
    }
    if (family.samples.length > 0) throw new Error(`line ${line}: ${name} declared after its samples`);
    return family;
  };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const comment = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
    if (comment) {
      const [, keyword, name = '', rest = ''] = comment;
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)?.[0] !== name)
        throw new Error(`line ${line}: bad metric name ${name}`);
      const family = declare(name, line);
      if (keyword === 'HELP') family.help = unescaped(rest, false, line);
      else {
        if (!TYPES.has(rest.trim() as MetricType)) throw new Error(`line ${line}: bad type "${rest}"`);
        family.type = rest.trim() as MetricType;
      }
      return;
    }
    if (raw.startsWith('#')) return;
    const name = METRIC_NAME.exec(raw)?.[0];
    if (!name) throw new Error(`line ${line}: bad sample "${raw}"`);
    let rest = raw.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.trim().split(/\s+/);
    if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2)
      throw new Error(`line ${line}: expected a value and an optional timestamp in "${raw}"`);
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`line ${line}: bad timestamp`);
    const value = parseValue(fields[0] ?? '', line);
    let family = familyOf(name, families);
    if (!family) family = declare(name, line);
    if (family !== current) {
      if (current) closed.add(current.name);
      if (closed.has(family.name))
        throw new Error(`line ${line}: samples of ${family.name} are not together`);
      current = family;
    }
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      throw new Error(`line ${line}: a bucket without le`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${line}: ${key} twice`);
    series.add(key);
    family.samples.push({ name, labels, value });
  });
  return families;
}

function matches(sample: Sample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([name, value]) => sample.labels[name] === value);
}

/** The samples of family `name` whose labels include `labels`. */
export function samplesOf(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return (families.get(name)?.samples ?? []).filter((sample) => matches(sample, labels));
}

/** The value of the one sample of `name` with exactly these labels; undefined when there is none. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samplesOf(families, name, labels).filter(
    (sample) => sample.name === name && Object.keys(sample.labels).length === Object.keys(labels).length,
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

export interface HistogramSeries {
  /** `[le, cumulative count]`, in the order served, `+Inf` last. */
  buckets: [number, number][];
  sum: number;
  count: number;
}

/**
 * One series of histogram `name`, checked as the format requires: bounds increasing, counts
 * cumulative, a `+Inf` bucket equal to `_count`.
 */
export function histogramOf(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string>,
): HistogramSeries {
  const family = families.get(name);
  if (family?.type !== 'histogram') throw new Error(`${name} is not a histogram`);
  const own = family.samples.filter(
    (sample) =>
      matches(sample, labels) &&
      Object.keys(sample.labels).filter((label) => label !== 'le').length === Object.keys(labels).length,
  );
  const buckets = own
    .filter((sample) => sample.name === `${name}_bucket`)
    .map((sample): [number, number] => [parseValue(sample.labels.le ?? '', 0), sample.value]);
  const sum = own.find((sample) => sample.name === `${name}_sum`)?.value;
  const count = own.find((sample) => sample.name === `${name}_count`)?.value;
  if (sum === undefined || count === undefined)
    throw new Error(`${name} ${JSON.stringify(labels)}: no sum or count`);
  buckets.forEach(([le, cumulative], i) => {
    const previous = buckets[i - 1];
    if (previous && (le <= previous[0] || cumulative < previous[1]))
      throw new Error(`${name}: bucket le=${le} out of order or not cumulative`);
  });
  const last = buckets.at(-1);
  if (!last || last[0] !== Number.POSITIVE_INFINITY || last[1] !== count)
    throw new Error(`${name}: the +Inf bucket is missing or differs from _count`);
  return { buckets, sum, count };
}
