/**
 * The vitest face of the kit: `rxHandlerConformance(name, subject)` registers one `describe`
 * with one `it` per check. vitest is a peer dependency: a package outside this repository runs
 * the kit with its own vitest (`npx vitest run`).
 */
import { describe, it } from 'vitest';
import { rxHandlerChecks } from './checks.js';
import type { KitOptions } from './kit.js';
import type { RxHandlerSubject } from './subject.js';

/**
 * Register the rx_handler conformance suite for `subject` under `describe(\`rx_handler
 * conformance: ${name}\`)`. Call it at the top level of a test file (or inside your own describe).
 */
export function rxHandlerConformance(name: string, subject: RxHandlerSubject, options: KitOptions = {}): void {
  describe(`rx_handler conformance: ${name}`, () => {
    for (const check of rxHandlerChecks) {
      it(`${check.id}: ${check.title}`, () => {
        check.run(subject, options);
      });
    }
  });
}
