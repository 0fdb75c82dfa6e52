import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources; test/compiled.test.ts composes a stack from dist/ too.
    alias: [
      // Example packages (examples/<name>, published as @netstack/example-<name>); first match wins.
      { find: /^@netstack\/example-([a-z0-9-]+)$/, replacement: fileURLToPath(new URL('./examples/$1/src/index.ts', import.meta.url)) },
      { find: /^@netstack\/([a-z0-9-]+)$/, replacement: fileURLToPath(new URL('./packages/$1/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 20_000,
  },
});
