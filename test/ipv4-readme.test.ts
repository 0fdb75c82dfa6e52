/** The example in packages/ipv4/README.md runs as written and prints what it says. */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = `${root}test/.ipv4-readme-tmp`;
const readme = readFileSync(`${root}packages/ipv4/README.md`, 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('packages/ipv4 README', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('pings across a router', async () => {
    expect(blocks).toHaveLength(1);
    mkdirSync(tmp, { recursive: true });
    const file = `${tmp}/example.ts`;
    writeFileSync(file, `// @ts-nocheck\n${blocks[0]!}`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(file);
      expect(log.mock.calls.map((c) => c.join(' '))).toEqual(['seq 1 ttl 63 from 10.0.2.2; seq 2 ttl 63 from 10.0.2.2', 'IpForwDatagrams 4']);
    } finally {
      log.mockRestore();
    }
  });
});
