import { startUserflare, type UserflareConnection } from 'userflare/testing';
import type { TestProject } from 'vitest/node';
import fixture from '../fixture.json' with { type: 'json' };

declare module 'vitest' {
  export interface ProvidedContext {
    /** How a test file reaches the server this setup started: `connectUserflare(inject('userflare'))`. */
    userflare: UserflareConnection;
  }
}

/** Starts one userflare server for the whole run and stops it when the run ends. */
export default async function setup(project: TestProject) {
  const uf = await startUserflare({ fixture });
  project.provide('userflare', uf.connection);
  return () => uf.close();
}
