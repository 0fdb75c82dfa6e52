/** Argument errors worded as Node words them (compared with the real modules in this process). */
import { describe, expect, it } from 'vitest';
import * as realDgram from 'node:dgram';
import * as realNet from 'node:net';
import { World } from '@netstack/core';
import { createConnection, createSocket } from '@netstack/net';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as Error).name} ${(e as { code?: string }).code} ${(e as Error).message}`;
  }
  return 'no error';
}

describe('argument errors', () => {
  const ns = new World({ seed: 1 }).createNamespace('h', []);

  it('an options property of the wrong type is a "property" (dgram recvBufferSize)', () => {
    const ours = messageOf(() => createSocket({ type: 'udp4', netns: ns, recvBufferSize: 'x' as unknown as number }));
    expect(ours).toBe(messageOf(() => realDgram.createSocket({ type: 'udp4', recvBufferSize: 'x' as unknown as number })));
    expect(ours).toMatch(/"options.recvBufferSize" property/);
  });

  it('an options property of the wrong type is a "property" (net lookup)', () => {
    const ours = messageOf(() => createConnection({ port: 1, netns: ns, lookup: 5 as unknown as never }));
    expect(ours).toBe(messageOf(() => realNet.createConnection({ port: 1, lookup: 5 as unknown as never })));
  });
});
