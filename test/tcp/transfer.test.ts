import { describe, expect, it } from 'vitest';
import { payload, sha256, tcpPair, transfer } from './helpers.js';

describe('TCP end to end over veth (virtual time)', () => {
  it('handshake, 1 MB byte-exact, FIN both ways', () => {
    const p = tcpPair(1);
    const data = payload(1 << 20);
    const t = transfer(p, data);
    expect(t.eof).toBe(true);
    expect(t.receivedLen).toBe(data.length);
    expect(sha256(t.received.subarray(0, t.receivedLen))).toBe(sha256(data));
  });
});
