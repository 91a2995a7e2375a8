import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL database of this test run; each test app gets a schema of its own in it. */
    postgresUrl: string;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates a database for this test run on the server USERFLARE_TEST_DATABASE_URL names, and drops it
 * when the run ends (issue 4: "each test run in a database of its own").
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.USERFLARE_TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('the postgres project needs USERFLARE_TEST_DATABASE_URL');
  const database = `userflare_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${database}"`);
  await admin.end();
  project.provide('postgresUrl', withDatabase(serverUrl, database));
  return async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`drop database if exists "${database}" with (force)`);
    await client.end();
  };
}
