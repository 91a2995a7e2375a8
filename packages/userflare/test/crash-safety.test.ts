import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Cloudflare from 'cloudflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { BOOTSTRAP } from './helpers/test-server.js';

// DESIGN, "Operating contract": a write answered 200 is durable, with its audit entry in the same
// transaction, whatever happens to the process afterwards; SIGTERM drains before it exits.

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const API_TOKENS_WRITE = '686d18d5ac6c441c867cbf6771e58a0a';

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Kills per run; a soak run sets USERFLARE_CRASH_ROUNDS higher. */
const CRASH_ROUNDS = positiveIntegerFromEnv('USERFLARE_CRASH_ROUNDS', 4);
/** Chooses the kill moments (USERFLARE_CRASH_SEED replays a logged run's) and the mix of writes. */
const SEED = positiveIntegerFromEnv('USERFLARE_CRASH_SEED', randomInt(1, 2 ** 31));
const TOKEN_WRITERS = 12;

const SERVER_ENV = {
  USERFLARE_DATABASE_URL: '',
  USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
  USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
  USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
  USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
  USERFLARE_SECRET: 'crash-safety-secret-0123456789abcdef0123456789',
};

/** mulberry32: a small seeded generator, so a failing run's kill moments can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function exitWithin(child: ChildProcess, ms: number): Promise<Exit | 'still running'> {
  return Promise.race([exitOf(child), sleep(ms).then(() => 'still running' as const)]);
}

async function forEachConcurrently<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  const queue = [...items];
  const lanes = Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  });
  await Promise.all(lanes);
}

function sdk(server: ChildServer, apiToken: string = BOOTSTRAP.token): Cloudflare {
  return new Cloudflare({ apiToken, baseURL: server.baseURL, maxRetries: 0, timeout: 10_000 });
}

function userPolicy(userId: string, ...groups: string[]) {
  return [
    {
      effect: 'allow' as const,
      permission_groups: groups.map((id) => ({ id })),
      resources: { [`com.cloudflare.api.user.${userId}`]: '*' },
    },
  ];
}

/** What the test knows about one token it created with an acknowledged POST. */
interface TokenRecord {
  id: string;
  /** Its value after the last acknowledged create or roll; undefined once a roll landed unanswered. */
  value: string | undefined;
  /** Roll entries the store must hold: acknowledged rolls, plus any that landed unanswered. */
  rolls: number;
  /** A roll was sent and the kill came before its answer: it may or may not have landed. */
  rollInFlight: boolean;
}

/** Every write the server acknowledged, and the ones the kill left without an answer. */
interface Ledger {
  tokens: Map<string, TokenRecord>;
  /** Tokens whose create committed although its answer was lost to a kill. */
  unansweredTokenIds: Set<string>;
  createsInFlight: number;
  acknowledgedCreates: number;
  acknowledgedRolls: number;
  acknowledgedEdits: number;
  /** Update entries of the user the store must hold. */
  userUpdates: number;
  /** The edit number the user's fields must show (see `editOf`), undefined before the first edit. */
  lastEdit: number | undefined;
  editInFlight: number | undefined;
  nextEdit: number;
  /** Answers other than 200, and failures that came before the kill: each is a server problem. */
  unexpected: string[];
}

/** `PATCH /user` number n sets both fields, so a row with one field of n and the other not is torn. */
function editOf(n: number) {
  return { first_name: `Edit ${n}`, zipcode: `zip-${n}` };
}

function describeFailure(error: unknown): string {
  if (error instanceof Cloudflare.APIError && error.status !== undefined) {
    return `${error.status} ${JSON.stringify(error.errors)}`;
  }
  return String(error);
}

/**
 * Runs token creates and rolls (one writer per token, so each token's rolls are ordered) and user
 * edits (one writer) until SIGKILL `killAfterMs` into the load, recording each answer in the ledger.
 */
async function runLoadUntilKilled(
  server: ChildServer,
  ledger: Ledger,
  random: () => number,
  killAfterMs: number,
  userId: string,
  round: number,
): Promise<void> {
  const client = sdk(server);
  let killed = false;
  const fail = (what: string, error: unknown) => {
    if (!killed) ledger.unexpected.push(`round ${round}: ${what}: ${describeFailure(error)}`);
  };

  const writeTokens = async (writer: number) => {
    const own: TokenRecord[] = [];
    for (let n = 0; !killed; n++) {
      const rollable = own.filter((token) => token.value !== undefined);
      if (rollable.length === 0 || random() < 0.35) {
        ledger.createsInFlight++;
        try {
          const created = await client.user.tokens.create({
            name: `crash r${round} w${writer} #${n}`,
            policies: userPolicy(userId, USER_DETAILS_READ),
          });
          ledger.createsInFlight--;
          const token = { id: created.id as string, value: created.value, rolls: 0, rollInFlight: false };
          ledger.tokens.set(token.id, token);
          ledger.acknowledgedCreates++;
          own.push(token);
        } catch (error) {
          return fail('create', error);
        }
      } else {
        const token = rollable[Math.floor(random() * rollable.length)] as TokenRecord;
        token.rollInFlight = true;
        try {
          token.value = await client.user.tokens.value.update(token.id);
          token.rollInFlight = false;
          token.rolls++;
          ledger.acknowledgedRolls++;
        } catch (error) {
          return fail(`roll of ${token.id}`, error);
        }
      }
    }
  };

  const editUser = async () => {
    while (!killed) {
      const n = ledger.nextEdit++;
      ledger.editInFlight = n;
      try {
        await client.user.edit(editOf(n));
        ledger.editInFlight = undefined;
        ledger.lastEdit = n;
        ledger.userUpdates++;
        ledger.acknowledgedEdits++;
      } catch (error) {
        return fail('user edit', error);
      }
    }
  };

  const writers = [...Array.from({ length: TOKEN_WRITERS }, (_, writer) => writeTokens(writer)), editUser()];
  await sleep(killAfterMs);
  killed = true;
  server.process.kill('SIGKILL');
  expect(await exitWithin(server.process, 5_000)).toEqual({ code: null, signal: 'SIGKILL' });
  await Promise.all(writers);
}

/** The store as the kill left it, read from the file before anything starts on it again. */
interface StoreAfterKill {
  integrity: string;
  foreignKeyViolations: number;
  tokenIds: Set<string>;
  /** Audit entries by `${action_type} ${resource_type} ${resource_id}`. */
  auditCounts: Map<string, number>;
  /** Ids of tokens that have a create entry. */
  createdTokenIds: Set<string>;
  /** Ids of tokens that have a roll entry. */
  rolledTokenIds: Set<string>;
  user: { first_name: string | null; zipcode: string | null };
  /** `newValue` of the user's latest update entry. */
  latestUserUpdate: { first_name: string | null; zipcode: string | null } | undefined;
}

function readStoreAfterKill(dataDir: string, userId: string, bootstrapTokenId: string): StoreAfterKill {
  const db = new Database(join(dataDir, 'userflare.db'), { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const foreignKeyViolations = (db.pragma('foreign_key_check') as unknown[]).length;
    const tokenIds = new Set(
      (db.prepare('select id from tokens where id <> ?').all(bootstrapTokenId) as { id: string }[]).map(
        (row) => row.id,
      ),
    );
    const entries = db
      .prepare(
        'select action_type, resource_type, resource_id, count(*) as n from audit_logs group by 1, 2, 3',
      )
      .all() as { action_type: string; resource_type: string; resource_id: string; n: number }[];
    const auditCounts = new Map(
      entries.map((e) => [`${e.action_type} ${e.resource_type} ${e.resource_id}`, e.n] as const),
    );
    const tokenEntries = (action: string) =>
      new Set(
        entries
          .filter((e) => e.resource_type === 'token' && e.action_type === action)
          .map((e) => e.resource_id)
          .filter((id) => id !== bootstrapTokenId),
      );
    const user = db.prepare('select first_name, zipcode from users where id = ?').get(userId) as
      | StoreAfterKill['user']
      | undefined;
    if (!user) throw new Error(`user ${userId} is missing from the store`);
    const latest = db
      .prepare(
        "select new_value from audit_logs where resource_type = 'user' and action_type = 'update' and resource_id = ? order by seq desc limit 1",
      )
      .get(userId) as { new_value: string } | undefined;
    return {
      integrity,
      foreignKeyViolations,
      tokenIds,
      auditCounts,
      createdTokenIds: tokenEntries('create'),
      rolledTokenIds: tokenEntries('roll'),
      user,
      latestUserUpdate: latest && JSON.parse(latest.new_value),
    };
  } finally {
    db.close();
  }
}

/**
 * Checks the killed store against the ledger, then settles what the kill left open: a create or a
 * roll that landed unanswered becomes part of what the next round must keep.
 */
function checkAndSettle(ledger: Ledger, store: StoreAfterKill, userId: string, context: string): void {
  expect(store.integrity, context).toBe('ok');
  expect(store.foreignKeyViolations, context).toBe(0);

  // Nothing half-written: a token and its create entry commit together or not at all.
  expect(
    [...store.tokenIds].sort(),
    `${context}: tokens without a create entry, or entries without a token`,
  ).toEqual([...store.createdTokenIds].sort());
  for (const id of store.rolledTokenIds)
    expect(store.tokenIds.has(id), `${context}: rolled ${id}`).toBe(true);
  if (store.latestUserUpdate === undefined) {
    expect(store.user, context).toEqual({ first_name: null, zipcode: null });
  } else {
    expect(store.latestUserUpdate, `${context}: the user row against its latest update entry`).toMatchObject(
      store.user,
    );
  }

  const missing = [...ledger.tokens.keys()].filter((id) => !store.tokenIds.has(id));
  expect(missing, `${context}: tokens whose create was answered 200`).toEqual([]);
  const unanswered = [...store.tokenIds].filter(
    (id) => !ledger.tokens.has(id) && !ledger.unansweredTokenIds.has(id),
  );
  expect(unanswered.length, `${context}: tokens nobody was told about`).toBeLessThanOrEqual(
    ledger.createsInFlight,
  );
  for (const id of unanswered) ledger.unansweredTokenIds.add(id);
  ledger.createsInFlight = 0;

  for (const token of ledger.tokens.values()) {
    const rolls = store.auditCounts.get(`roll token ${token.id}`) ?? 0;
    expect(store.auditCounts.get(`create token ${token.id}`), `${context}: create of ${token.id}`).toBe(1);
    expect(rolls, `${context}: roll entries of ${token.id}`).toBeGreaterThanOrEqual(token.rolls);
    expect(rolls, `${context}: roll entries of ${token.id}`).toBeLessThanOrEqual(
      token.rolls + (token.rollInFlight ? 1 : 0),
    );
    // The value that roll returned never reached the test: this token can no longer be used.
    if (rolls > token.rolls) token.value = undefined;
    token.rolls = rolls;
    token.rollInFlight = false;
  }

  const updates = store.auditCounts.get(`update user ${userId}`) ?? 0;
  const landed = updates > ledger.userUpdates;
  expect(updates, `${context}: update entries of the user`).toBeGreaterThanOrEqual(ledger.userUpdates);
  expect(updates, `${context}: update entries of the user`).toBeLessThanOrEqual(
    ledger.userUpdates + (ledger.editInFlight === undefined ? 0 : 1),
  );
  const shown = landed ? ledger.editInFlight : ledger.lastEdit;
  expect(store.user, `${context}: the user's fields`).toEqual(
    shown === undefined ? { first_name: null, zipcode: null } : editOf(shown),
  );
  ledger.userUpdates = updates;
  ledger.lastEdit = shown;
  ledger.editInFlight = undefined;
}

/** After the restart, the API serves every acknowledged write, the latest values and their audit entries. */
async function checkServedAfterRestart(
  server: ChildServer,
  ledger: Ledger,
  userId: string,
  context: string,
): Promise<void> {
  const client = sdk(server);
  const user = await client.user.get();
  const { first_name, zipcode } = user as { first_name?: string | null; zipcode?: string | null };
  expect({ first_name, zipcode }, context).toEqual(
    ledger.lastEdit === undefined ? { first_name: null, zipcode: null } : editOf(ledger.lastEdit),
  );

  const auditCounts = new Map<string, number>();
  for await (const entry of client.user.auditLogs.list({ per_page: 1000 })) {
    const key = `${entry.action?.type} ${entry.resource?.type} ${entry.resource?.id}`;
    auditCounts.set(key, (auditCounts.get(key) ?? 0) + 1);
  }
  expect(auditCounts.get(`update user ${userId}`) ?? 0, context).toBe(ledger.userUpdates);

  await forEachConcurrently([...ledger.tokens.values()], 6, async (token) => {
    expect((await client.user.tokens.get(token.id)).id, context).toBe(token.id);
    expect(auditCounts.get(`create token ${token.id}`), `${context}: create of ${token.id}`).toBe(1);
    expect(auditCounts.get(`roll token ${token.id}`) ?? 0, `${context}: rolls of ${token.id}`).toBe(
      token.rolls,
    );
    if (token.value !== undefined) {
      const verified = await sdk(server, token.value).user.tokens.verify();
      expect(verified, `${context}: the last acknowledged value of ${token.id}`).toMatchObject({
        id: token.id,
        status: 'active',
      });
    }
  });
}

let dataDir: string;
const running: ChildServer[] = [];

async function startServer(): Promise<ChildServer> {
  const server = await startChildServer({ ...SERVER_ENV, USERFLARE_DATA_DIR: dataDir });
  running.push(server);
  return server;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'userflare-crash-'));
});

afterEach(async () => {
  for (const server of running.splice(0)) {
    server.process.kill('SIGKILL');
    await exitOf(server.process);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGKILL at random moments under a write load', () => {
  it(
    `keeps every write answered 200 with its audit entry and leaves nothing half-written, over ${CRASH_ROUNDS} kills`,
    async () => {
      console.info(
        `crash-safety: seed ${SEED} (USERFLARE_CRASH_SEED=${SEED} replays the kill moments), ${CRASH_ROUNDS} kills`,
      );
      // Two generators: the writers draw in an order that timing decides, the kill moments must not.
      const killMoments = seededRandom(SEED);
      const writeChoices = seededRandom(SEED ^ 0x5bd1e995);
      const ledger: Ledger = {
        tokens: new Map(),
        unansweredTokenIds: new Set(),
        createsInFlight: 0,
        acknowledgedCreates: 0,
        acknowledgedRolls: 0,
        acknowledgedEdits: 0,
        userUpdates: 0,
        lastEdit: undefined,
        editInFlight: undefined,
        nextEdit: 1,
        unexpected: [],
      };
      let server = await startServer();
      const userId = (await sdk(server).user.get()).id as string;
      const bootstrapTokenId = (await sdk(server).user.tokens.verify()).id;

      for (let round = 1; round <= CRASH_ROUNDS; round++) {
        const before = { ...ledger };
        const killedAfterMs = 150 + Math.floor(killMoments() * 1_200);
        await runLoadUntilKilled(server, ledger, writeChoices, killedAfterMs, userId, round);
        const context = `seed ${SEED}, round ${round}, killed ${killedAfterMs} ms into the load`;
        const inFlight = `${ledger.createsInFlight} creates, ${
          [...ledger.tokens.values()].filter((t) => t.rollInFlight).length
        } rolls, ${ledger.editInFlight === undefined ? 0 : 1} edits`;
        checkAndSettle(ledger, readStoreAfterKill(dataDir, userId, bootstrapTokenId), userId, context);
        expect(ledger.unexpected, context).toEqual([]);

        server = await startServer();
        await checkServedAfterRestart(server, ledger, userId, context);
        console.info(
          `crash-safety: ${context}: acknowledged ${ledger.acknowledgedCreates - before.acknowledgedCreates} creates, ${
            ledger.acknowledgedRolls - before.acknowledgedRolls
          } rolls, ${ledger.acknowledgedEdits - before.acknowledgedEdits} edits; in flight at the kill: ${inFlight}`,
        );
      }
      console.info(
        `crash-safety: in all ${ledger.acknowledgedCreates} creates, ${ledger.acknowledgedRolls} rolls and ${ledger.acknowledgedEdits} edits acknowledged; ${ledger.unansweredTokenIds.size} creates landed unanswered`,
      );
      // A load that never got a write through would pass every check above without testing anything.
      expect(ledger.acknowledgedCreates).toBeGreaterThan(CRASH_ROUNDS);
      expect(ledger.acknowledgedRolls).toBeGreaterThan(CRASH_ROUNDS);
      expect(ledger.acknowledgedEdits).toBeGreaterThan(CRASH_ROUNDS);
    },
    15_000 + CRASH_ROUNDS * 10_000,
  );
});

/** A request whose body arrives in two halves, so it is in flight for as long as the test wants. */
interface SlowRequest {
  /** Resolves when the headers and the first half of the body are on the wire. */
  started: Promise<void>;
  finish(): void;
  response: Promise<{ status: number; body: string }>;
}

function startSlowRequest(url: string, agent: Agent, token: string, body: unknown): SlowRequest {
  const payload = JSON.stringify(body);
  const half = Math.floor(payload.length / 2);
  const outgoing = request(url, {
    method: 'POST',
    agent,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    outgoing.on('error', reject);
    outgoing.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        text += chunk;
      });
      incoming.on('error', reject);
      incoming.on('aborted', () => reject(new Error('response cut short')));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: text }));
    });
  });
  const started = new Promise<void>((resolve) => outgoing.write(payload.slice(0, half), () => resolve()));
  return { started, finish: () => outgoing.end(payload.slice(half)), response };
}

describe('SIGTERM', () => {
  it('answers the requests in flight in full, flushes last_used_on and exits 0', async () => {
    let server = await startServer();
    const client = sdk(server);
    const userId = (await client.user.get()).id as string;
    const senders = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.user.tokens.create({
          name: `sender ${i}`,
          policies: userPolicy(userId, API_TOKENS_WRITE, USER_DETAILS_READ),
        }),
      ),
    );
    const usedLast = await client.user.tokens.create({
      name: 'used just before SIGTERM',
      policies: userPolicy(userId, USER_DETAILS_READ),
    });

    // Keep-alive, as the SDK and most clients connect: the server must still end these connections.
    const agent = new Agent({ keepAlive: true, maxSockets: senders.length });
    const inFlight = senders.map((sender, i) =>
      startSlowRequest(`${server.baseURL}/user/tokens`, agent, sender.value as string, {
        name: `created while closing ${i}`,
        policies: userPolicy(userId, USER_DETAILS_READ),
      }),
    );
    await Promise.all(inFlight.map((slow) => slow.started));
    // The server reads the headers and authenticates each sender (last_used_on is now pending).
    await sleep(300);
    const usedAt = Date.now();
    expect((await sdk(server, usedLast.value as string).user.get()).id).toBe(userId);

    const closing = server.process;
    closing.kill('SIGTERM');
    await sleep(200);
    for (const slow of inFlight) slow.finish();
    const answers = await Promise.allSettled(inFlight.map((slow) => slow.response));
    agent.destroy();
    const failures = answers.flatMap((answer, i) =>
      answer.status === 'rejected' ? [`request ${i}: ${String(answer.reason)}`] : [],
    );
    expect(failures, 'requests in flight at SIGTERM must get a whole answer').toEqual([]);
    const createdWhileClosing = answers.map((answer) => {
      const { status, body } = (answer as PromiseFulfilledResult<{ status: number; body: string }>).value;
      expect(status, body).toBe(200);
      return (JSON.parse(body) as { result: { id: string } }).result.id;
    });
    expect(await exitWithin(closing, 10_000)).toEqual({ code: 0, signal: null });

    server = await startServer();
    const restarted = sdk(server);
    const lastUsedOn = (await restarted.user.tokens.get(usedLast.id as string)).last_used_on;
    expect(lastUsedOn, 'last_used_on of a token used just before SIGTERM').toBeDefined();
    expect(Date.parse(lastUsedOn as string)).toBeGreaterThanOrEqual(usedAt);
    for (const sender of senders) {
      expect((await restarted.user.tokens.get(sender.id as string)).last_used_on, sender.name).toBeDefined();
    }
    const created = new Set<string>();
    for await (const entry of restarted.user.auditLogs.list({ per_page: 1000 })) {
      if (entry.action?.type === 'create' && entry.resource?.id) created.add(entry.resource.id);
    }
    for (const id of createdWhileClosing) {
      expect((await restarted.user.tokens.get(id)).id).toBe(id);
      expect(created.has(id), `create entry of ${id}`).toBe(true);
    }
  });
});
