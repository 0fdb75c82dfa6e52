import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Every TypeScript example in the README must run as written.
const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = `${root}test/.readme-tmp`;
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README examples', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      mkdirSync(tmp, { recursive: true });
      const file = `${tmp}/example-${i + 1}.ts`;
      writeFileSync(file, code);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import(file);
        const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
        expect(printed.length).toBeGreaterThan(0);
        if (i === 0) expect(printed).toBe('received 1; host-b eth0 rx_packets 1; live buffers 0');
        if (code.includes("ping(h1, '10.0.2.2'")) {
          expect(printed).toBe('64 bytes from 10.0.2.2: icmp_seq=1 ttl=63\n64 bytes from 10.0.2.2: icmp_seq=2 ttl=63\necho: hello');
        }
      } finally {
        log.mockRestore();
      }
    });
  });
});
