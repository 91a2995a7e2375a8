// The driver ceiling, run as its own process by lib/postgres.mjs (startCeiling): a bare `pg` Pool
// issuing verify's query, as a named prepared statement, from concurrent callers in a loop. What
// userflare on PostgreSQL is compared with: the most this driver, pool size and database give.
import pg from 'pg';

/** verify's query as the server's Kysely builds it (tokens.repository.ts, findTokenWithOwnerByHash). */
const VERIFY_QUERY =
  'select "tokens".*, "users"."email" as "owner_email" from "tokens" inner join "users" on "users"."id" = "tokens"."user_id" where "tokens"."value_hash" = $1';

const pool = new pg.Pool({
  connectionString: process.env.CEILING_URL,
  max: Number(process.env.CEILING_POOL_SIZE),
});
pool.on('error', () => {});
const query = { name: 'bench_verify', text: VERIFY_QUERY, values: [process.env.CEILING_HASH] };

/** `callers` loops issuing the query back to back for `seconds`; latency of each, CPU time of this process. */
async function run(seconds, callers) {
  const latencies = [];
  let errors = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        await pool.query(query);
        latencies.push(performance.now() - sent);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0;
  return {
    seconds,
    rps: latencies.length / elapsed,
    p50: +at(0.5).toFixed(2),
    p99: +at(0.99).toFixed(2),
    requests: latencies.length + errors,
    responses: latencies.length,
    non2xx: 0,
    errors,
    timeouts: 0,
    cpuPerRequest: latencies.length ? (cpu.user + cpu.system) / latencies.length : undefined,
  };
}

try {
  // Every pooled connection opened and the statement prepared on each before the first timed query.
  const clients = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
  for (const client of clients) {
    const { rows } = await client.query(query);
    if (rows.length !== 1)
      throw new Error(`verify's query found ${rows.length} rows for the bootstrap token`);
  }
  for (const client of clients) client.release();
  process.send({ ready: true });
} catch (error) {
  process.send({ error: String(error.message ?? error) });
  process.exit(1);
}

process.on('message', ({ seconds, callers }) => {
  run(seconds, callers).then(
    (figures) => process.send(figures),
    (error) => process.send({ error: String(error.message ?? error) }),
  );
});
process.once('SIGTERM', () => pool.end().then(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
