/**
 * What `ip` prints when the kernel refuses a request: the extended ack message when the kernel
 * sets one (`Error: ipv4: Address already assigned.`), else `RTNETLINK answers: <strerror>`;
 * both exit 2. Which requests carry an extack follows the kernel (net/ipv4/devinet.c,
 * fib_semantics.c, net/core/dev.c); the errno always comes from the stack's NetError.
 */
import { ToolExit, errnoOf, netErrorText, strerror } from '../io.js';

/** Exit status of a request the kernel answered with an error. */
export const EXIT_KERNEL = 2;

/**
 * How one request's errors read. `extack` gives the kernel's message for an errno; `'stack'`
 * means the stack's own message is the kernel's extack text (the FIB's validation messages are).
 */
export type ExtackMap = Partial<Record<string, string | 'stack'>>;

export function kernelError(err: unknown, extack: ExtackMap = {}): never {
  const code = errnoOf(err);
  if (code === null) throw err;
  const text = extack[code];
  if (text === 'stack') {
    const msg = netErrorText(err as Error);
    throw new ToolExit(EXIT_KERNEL, `Error: ${msg}${/[.!?]$/.test(msg) ? '' : '.'}`);
  }
  if (text !== undefined) throw new ToolExit(EXIT_KERNEL, `Error: ${text}`);
  throw new ToolExit(EXIT_KERNEL, `RTNETLINK answers: ${strerror(code)}`);
}

/** Run a request; NetErrors become what `ip` prints for them. */
export function request<T>(fn: () => T, extack: ExtackMap = {}): T {
  try {
    return fn();
  } catch (err) {
    return kernelError(err, extack);
  }
}
