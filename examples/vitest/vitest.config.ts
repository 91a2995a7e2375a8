import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One userflare server for the whole run; each test file takes a namespace of its own on it.
    globalSetup: ['./test/global-setup.ts'],
  },
});
