import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BPDU_CONFIG_LEN, BPDU_TYPE_CONFIG, BPDU_TYPE_TCN, BpduCodec, BpduError, BpduView, newBpduRepr, nsToTicks, ticksToNs, type BpduRepr } from './bpdu.js';

// A config BPDU relayed by bridge 8000.02:00:00:00:0b:01 (port 0x8002) for root 8000.02:00:00:00:0a:01,
// written out byte by byte from 802.1D-1998 9.3.1: TC set, hello 2 s = 0x0200, max age 20 s =
// 0x1400, forward delay 15 s = 0x0f00.
const WIRE = Uint8Array.from([
  0x00, 0x00, 0x00, 0x00, 0x01,
  0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,
  0x00, 0x00, 0x00, 0x02,
  0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01,
  0x80, 0x02,
  0x00, 0x01, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
]);

describe('BPDU codec', () => {
  it('parses a config BPDU field by field', () => {
    const r = BpduCodec.parse(new BpduView().wrap(WIRE, 0, WIRE.length))!;
    expect(r.type).toBe(BPDU_TYPE_CONFIG);
    expect(r.topologyChange).toBe(true);
    expect(r.topologyChangeAck).toBe(false);
    expect([...r.root]).toEqual([0x80, 0, 2, 0, 0, 0, 0x0a, 1]);
    expect(r.rootPathCost).toBe(2);
    expect([...r.bridgeId]).toEqual([0x80, 0, 2, 0, 0, 0, 0x0b, 1]);
    expect(r.portId).toBe(0x8002);
    expect(r.messageAge).toBe(1);
    expect(ticksToNs(r.maxAge)).toBe(20e9);
    expect(ticksToNs(r.helloTime)).toBe(2e9);
    expect(ticksToNs(r.forwardDelay)).toBe(15e9);
  });

  it('emits the same bytes it parsed', () => {
    const r = BpduCodec.parse(new BpduView().wrap(WIRE, 0, WIRE.length))!;
    const out = new Uint8Array(BpduCodec.bufferLen(r));
    BpduCodec.emit(r, out, 0);
    expect(out).toEqual(WIRE);
  });

  it('TCN is 4 bytes: 00 00 00 80', () => {
    const r = newBpduRepr();
    r.type = BPDU_TYPE_TCN;
    const out = new Uint8Array(BpduCodec.bufferLen(r));
    BpduCodec.emit(r, out, 0);
    expect([...out]).toEqual([0, 0, 0, 0x80]);
    expect(BpduCodec.parse(new BpduView().wrap(out, 0, 4))!.type).toBe(BPDU_TYPE_TCN);
  });

  it('rejects with a reason, never throws', () => {
    const err = (bytes: number[]): number => BpduCodec.parseInto(new BpduView().wrap(Uint8Array.from(bytes), 0, bytes.length), newBpduRepr());
    expect(err([0, 0, 0])).toBe(BpduError.TOO_SHORT);
    expect(err([0, 1, 0, 0x80])).toBe(BpduError.BAD_PROTOCOL);
    expect(err([0, 0, 2, 0x02, ...new Array(32).fill(0)])).toBe(BpduError.BAD_VERSION);
    expect(err([0, 0, 0, 0x55])).toBe(BpduError.UNKNOWN_TYPE);
    expect(err([...WIRE.subarray(0, 34)])).toBe(BpduError.CONFIG_TOO_SHORT);
    // A view longer than its buffer reads nothing past the buffer.
    expect(BpduCodec.parseInto(new BpduView().wrap(WIRE.subarray(0, 20), 0, 35), newBpduRepr())).toBe(BpduError.CONFIG_TOO_SHORT);
  });

  it('round-trips any config BPDU (fast-check)', () => {
    const id = fc.uint8Array({ minLength: 8, maxLength: 8 });
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const arb = fc.record({
      topologyChange: fc.boolean(),
      topologyChangeAck: fc.boolean(),
      root: id,
      rootPathCost: fc.integer({ min: 0, max: 0xffffffff }),
      bridgeId: id,
      portId: u16,
      messageAge: u16,
      maxAge: u16,
      helloTime: u16,
      forwardDelay: u16,
    });
    fc.assert(
      fc.property(arb, fc.uint8Array({ maxLength: 8 }), (fields, trailer) => {
        const repr: BpduRepr = { type: BPDU_TYPE_CONFIG, ...fields };
        const buf = new Uint8Array(BPDU_CONFIG_LEN + trailer.length);
        BpduCodec.emit(repr, buf, 0);
        buf.set(trailer, BPDU_CONFIG_LEN);
        const back = BpduCodec.parse(new BpduView().wrap(buf, 0, buf.length));
        expect(back).toEqual(repr);
      }),
    );
  });

  it('parse of arbitrary bytes never throws and accepts only version-0 config/TCN', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const out = newBpduRepr();
        const e = BpduCodec.parseInto(new BpduView().wrap(bytes, 0, bytes.length), out);
        if (e === BpduError.NONE) {
          expect(bytes[0] | bytes[1]! | bytes[2]!).toBe(0);
          expect(bytes[3] === BPDU_TYPE_TCN || (bytes[3] === BPDU_TYPE_CONFIG && bytes.length >= 35)).toBe(true);
        }
      }),
    );
  });

  it('time conversion is exact in 1/256 s and clamps to 16 bits', () => {
    expect(nsToTicks(ticksToNs(513))).toBe(513);
    expect(nsToTicks(4e6)).toBe(1);
    expect(nsToTicks(-5)).toBe(0);
    expect(nsToTicks(1e12)).toBe(0xffff);
  });
});
