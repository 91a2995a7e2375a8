import { randomBytes } from 'node:crypto';
import type { CreateNamespace, Namespace } from '@userflare/contract';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { formatTimestamp } from '../../clock.js';
import type { Config, StoreConfig } from '../../config.js';
import { type Store, withSearchPath } from '../../db/create-database.js';
import { ApiError, apiErrors } from '../../http/errors.js';
import { redactPath } from '../../http/redaction.js';
import { FixtureRefusedError } from '../admin/seed-fixture.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the root app's request when a namespace's app answers it: the root records nothing of it. */
    namespaceId?: string | null;
  }
}

/** A namespace's own server: the same app as the root, on a store of its own. */
export interface NamespaceApp {
  app: FastifyInstance;
  bootstrap: { email: string; generatedToken?: string; generatedApiKey?: string };
}

interface World {
  id: string;
  createdOn: Date;
  email: string;
  built: NamespaceApp;
  /** PostgreSQL schema holding its tables, dropped with it. */
  schema: string | undefined;
}

const NAMESPACE_PATH = /^\/ns\/([^/?]+)(\/[^?]*)?(\?.*)?$/;

/**
 * Independent worlds on one server (issue 7): each namespace answers under `/ns/<id>/...` with its own
 * store (in-memory SQLite, or a schema of its own on PostgreSQL), bootstrap user, token, clock,
 * journal and faults. Namespaces live as long as the process that made them.
 */
export class Namespaces {
  readonly #worlds = new Map<string, World>();
  /** Ids being created: taken from the moment a create starts, so two concurrent creates cannot share one. */
  readonly #creating = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly rootStore: Store,
    /** Builds a namespace's app; `prefix` is where it answers (`/ns/<id>`), for the dashboard's paths and cookie. */
    private readonly build: (config: Config, fixture: unknown, prefix: string) => Promise<NamespaceApp>,
  ) {}

  /**
   * Hands `/ns/<id>/...` to that namespace's app before the root app does anything with the request.
   * `serves` says which of a namespace's paths this listener answers: with the admin plane on a
   * listener of its own, a namespace's `/__userflare` is answered there and nowhere else.
   */
  install(app: FastifyInstance, serves: (path: string) => boolean = () => true): void {
    app.decorateRequest('namespaceId', null);
    app.addHook('onRequest', (request, reply, done) => {
      const match = NAMESPACE_PATH.exec(request.url);
      if (!match) return done();
      const world = this.#worlds.get(match[1] ?? '');
      if (!world || !serves(match[2] ?? '/')) {
        return done(apiErrors.noRoute(redactPath(request.url.split('?')[0] ?? request.url), 404));
      }
      request.namespaceId = world.id;
      reply.hijack();
      request.raw.url = `${match[2] ?? '/'}${match[3] ?? ''}`;
      world.built.app.routing(request.raw, reply.raw);
      done();
    });
    // Before the onClose hooks: those close the root store, which drops a namespace's PostgreSQL schema.
    app.addHook('preClose', async () => {
      for (const id of [...this.#worlds.keys()]) await this.delete(id);
    });
  }

  async create(input: CreateNamespace, origin: string): Promise<Namespace> {
    const id = input.id ?? randomBytes(6).toString('hex');
    if (this.#worlds.has(id) || this.#creating.has(id)) throw apiErrors.namespaceTaken(id);
    this.#creating.add(id);
    try {
      return await this.#build(id, input, origin);
    } finally {
      this.#creating.delete(id);
    }
  }

  async #build(id: string, input: CreateNamespace, origin: string): Promise<Namespace> {
    const schema =
      this.rootStore.dialect === 'postgres' ? `userflare_ns_${randomBytes(8).toString('hex')}` : undefined;
    let store: StoreConfig = { kind: 'sqlite', file: ':memory:', directory: this.config.dataDir };
    if (schema !== undefined && this.config.store.kind === 'postgres') {
      await sql`create schema ${sql.id(schema)}`.execute(this.rootStore.db);
      store = { ...this.config.store, url: withSearchPath(this.config.store.url, schema), poolSize: 2 };
    }
    try {
      const built = await this.build(
        {
          ...this.config,
          store,
          bootstrapEmail: input.email ?? 'admin@example.com',
          bootstrapToken: undefined,
          bootstrapApiKey: undefined,
          // The root's admin key opens every namespace: `build` hands its app the root's verifier.
          adminKey: undefined,
          // A namespace's store is new, under a secret of its own: nothing in it was hashed under an older one.
          previousSecrets: [],
          // A namespace's app serves its own admin plane; the root's listeners route to it.
          adminListen: undefined,
          secret: randomBytes(32).toString('base64url'),
        },
        input.fixture,
        `/ns/${id}`,
      ).catch((error: unknown) => {
        throw error instanceof FixtureRefusedError ? new ApiError(400, error.errors) : error;
      });
      const world: World = { id, createdOn: new Date(), email: built.bootstrap.email, built, schema };
      this.#worlds.set(id, world);
      return {
        ...this.describe(world, origin),
        ...(built.bootstrap.generatedToken ? { token: built.bootstrap.generatedToken } : {}),
        ...(built.bootstrap.generatedApiKey ? { api_key: built.bootstrap.generatedApiKey } : {}),
      };
    } catch (error) {
      if (schema !== undefined) await this.dropSchema(schema);
      throw error;
    }
  }

  list(origin: string): Namespace[] {
    return [...this.#worlds.values()].map((world) => this.describe(world, origin));
  }

  async delete(id: string): Promise<boolean> {
    const world = this.#worlds.get(id);
    if (!world) return false;
    this.#worlds.delete(id);
    await world.built.app.close();
    if (world.schema !== undefined) await this.dropSchema(world.schema);
    return true;
  }

  private describe(world: World, origin: string): Namespace {
    return {
      id: world.id,
      base_url: `${origin}/ns/${world.id}/client/v4`,
      created_on: formatTimestamp(world.createdOn),
      email: world.email,
    };
  }

  private async dropSchema(schema: string): Promise<void> {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(this.rootStore.db);
  }
}
