import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IPOPT_LSRR,
  IPOPT_RA,
  IPOPT_RR,
  IPOPT_SSRR,
  IPOPT_TIMESTAMP,
  IPOPT_TS_PRESPEC,
  IPOPT_TS_TSANDADDR,
  IPOPT_TS_TSONLY,
  ipOptionsCompile,
  newIpOptions,
  type IpOptions,
} from './ipv4-options.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/**
 * Linux 6.18 over veth, `ping -R`-style: the echo request 10.0.0.1 → 10.0.0.2 as the sender's
 * kernel built it (record route, 9 slots, pointer 8: its own address already in slot 1, then EOL
 * padding), and the echo reply 10.0.0.2 → 10.0.0.1 (pointer 16: three addresses recorded).
 * Only the 60-byte IP headers.
 */
const ECHO_REQUEST_RR_HDR = () =>
  hex(`4f 00 00 4c d8 69 40 00 40 01 34 14 0a 00 00 01
       0a 00 00 02 07 27 08 0a 00 00 01 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00`);
const ECHO_REPLY_RR_HDR = () =>
  hex(`4f 00 00 4c 63 6f 00 00 40 01 dc fa 0a 00 00 02
       0a 00 00 01 07 27 10 0a 00 00 01 0a 00 00 02 0a
       00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00`);

/** A header of 20 bytes + `opts` (padded with EOL to a multiple of 4), and its length. */
const withOptions = (opts: number[], lead = 0): { buf: Uint8Array; hl: number } => {
  const hl = 20 + ((opts.length + 3) & ~3);
  const buf = new Uint8Array(lead + hl);
  buf[lead] = 0x40 | (hl / 4);
  buf.set(opts, lead + 20);
  return { buf, hl };
};
const compile = (opts: number[]) => {
  const { buf, hl } = withOptions(opts);
  const out = newIpOptions();
  return { err: ipOptionsCompile(buf, 0, hl, out), out };
};

describe('ipOptionsCompile on captured headers', () => {
  it('records where RR is and that a slot is free (request: pointer 8 of 39)', () => {
    const out = newIpOptions();
    expect(ipOptionsCompile(ECHO_REQUEST_RR_HDR(), 0, 60, out)).toBeNull();
    expect(out).toEqual({
      optlen: 40,
      srr: 0,
      isStrictroute: false,
      rr: 20,
      rrNeedaddr: true,
      ts: 0,
      tsNeedtime: false,
      tsNeedaddr: false,
      routerAlert: 0,
    } satisfies IpOptions);
  });

  it('accepts the kernel-filled RR of the reply (pointer 16)', () => {
    const out = newIpOptions();
    expect(ipOptionsCompile(ECHO_REPLY_RR_HDR(), 0, 60, out)).toBeNull();
    expect(out.rr).toBe(20);
    expect(out.rrNeedaddr).toBe(true);
  });

  it('works at an offset and resets a reused result', () => {
    const out = newIpOptions();
    out.ts = 33;
    out.srr = 44;
    out.routerAlert = 55;
    const hdr = ECHO_REQUEST_RR_HDR();
    const buf = new Uint8Array(14 + 60);
    buf.set(hdr, 14);
    expect(ipOptionsCompile(buf, 14, 60, out)).toBeNull();
    expect(out).toMatchObject({ rr: 20, ts: 0, srr: 0, routerAlert: 0 });
  });

  it('no options: empty result', () => {
    const out = newIpOptions();
    out.rr = 20;
    expect(ipOptionsCompile(new Uint8Array(20), 0, 20, out)).toBeNull();
    expect(out).toEqual(newIpOptions());
  });
});

describe('ipOptionsCompile: EOL, NOP, TLV lengths', () => {
  it('EOL ends the list: whatever follows is not parsed', () => {
    expect(compile([1, 1, 0, 0xff, 0xff, 0xff]).err).toBeNull();
  });

  it('NOPs are one byte each; a TLV may follow them', () => {
    const { err, out } = compile([1, 1, 1, IPOPT_RA, 4, 0, 0]);
    expect(err).toBeNull();
    expect(out.routerAlert).toBe(23);
  });

  it('a TLV with no room for its length byte points at its type', () => {
    // 3 NOPs then type 0x44 in the last byte of a 4-byte area
    expect(compile([1, 1, 1, IPOPT_TIMESTAMP]).err).toEqual({ reason: 'IP_INHDR', pointer: 23 });
  });

  it('length < 2 or past the end points at the type', () => {
    expect(compile([0x99, 1, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 20 });
    expect(compile([0x99, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 20 });
    expect(compile([1, 0x99, 4, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 21 });
    expect(compile([0x99, 4, 0, 0]).err).toBeNull(); // an unknown option of exactly the room left
  });

  it('unknown, security and stream-id options are skipped by their length', () => {
    const { err, out } = compile([130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 136, 4, 0, 1, IPOPT_RA, 4, 0, 0]);
    expect(err).toBeNull();
    expect(out.routerAlert).toBe(20 + 15);
  });
});

describe('ipOptionsCompile: source route', () => {
  it('records LSRR and SSRR', () => {
    expect(compile([IPOPT_LSRR, 7, 4, 10, 0, 0, 1]).out).toMatchObject({ srr: 20, isStrictroute: false });
    expect(compile([1, IPOPT_SSRR, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2]).out).toMatchObject({ srr: 21, isStrictroute: true });
  });

  it('length < 3 → pointer at the length; pointer < 4 → at the pointer; a second route → at its type', () => {
    expect(compile([IPOPT_LSRR, 2, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 21 });
    expect(compile([IPOPT_LSRR, 7, 3, 0, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
    expect(compile([IPOPT_LSRR, 3, 4, IPOPT_SSRR, 3, 4]).err).toEqual({ reason: 'IP_INHDR', pointer: 23 });
  });
});

describe('ipOptionsCompile: record route', () => {
  it('a full option (pointer past the end) has no slot to fill', () => {
    const { err, out } = compile([IPOPT_RR, 7, 8, 10, 0, 0, 1]);
    expect(err).toBeNull();
    expect(out).toMatchObject({ rr: 20, rrNeedaddr: false });
  });

  it('errors: second RR → type; length < 3 → length; pointer < 4 → pointer; partial slot → pointer', () => {
    expect(compile([IPOPT_RR, 3, 4, IPOPT_RR, 3, 4]).err).toEqual({ reason: 'IP_INHDR', pointer: 23 });
    expect(compile([IPOPT_RR, 2, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 21 });
    expect(compile([IPOPT_RR, 7, 3, 0, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
    // length 6, pointer 4: the slot needs bytes 4..7 but the option ends at 6
    expect(compile([IPOPT_RR, 6, 4, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
  });
});

describe('ipOptionsCompile: timestamp', () => {
  it('TSONLY with room needs a time; TSANDADDR also an address', () => {
    expect(compile([IPOPT_TIMESTAMP, 8, 5, IPOPT_TS_TSONLY, 0, 0, 0, 0]).out).toMatchObject({ ts: 20, tsNeedtime: true, tsNeedaddr: false });
    expect(compile([IPOPT_TIMESTAMP, 12, 5, IPOPT_TS_TSANDADDR, 0, 0, 0, 0, 0, 0, 0, 0]).out).toMatchObject({ ts: 20, tsNeedtime: true, tsNeedaddr: true });
    // PRESPEC: whether a time is due depends on the address being local, left to the caller
    expect(compile([IPOPT_TIMESTAMP, 12, 5, IPOPT_TS_PRESPEC, 10, 0, 0, 1, 0, 0, 0, 0])).toMatchObject({ err: null, out: { ts: 20, tsNeedtime: false } });
  });

  it('a full option with an overflow count below 15 is fine; at 15 it points at the flags byte', () => {
    expect(compile([IPOPT_TIMESTAMP, 8, 9, 0xe0 | IPOPT_TS_TSONLY, 0, 0, 0, 1])).toMatchObject({ err: null, out: { ts: 20, tsNeedtime: false } });
    expect(compile([IPOPT_TIMESTAMP, 8, 9, 0xf0 | IPOPT_TS_TSONLY, 0, 0, 0, 1]).err).toEqual({ reason: 'IP_INHDR', pointer: 23 });
    // PRESPEC never counts overflow
    expect(compile([IPOPT_TIMESTAMP, 12, 13, 0xf0 | IPOPT_TS_PRESPEC, 0, 0, 0, 0, 0, 0, 0, 0]).err).toBeNull();
  });

  it('errors: second timestamp → type; length < 4 → length; pointer < 5 → pointer; partial slot → pointer', () => {
    expect(compile([IPOPT_TIMESTAMP, 4, 5, 0, IPOPT_TIMESTAMP, 4, 5, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 24 });
    expect(compile([IPOPT_TIMESTAMP, 3, 5, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 21 });
    expect(compile([IPOPT_TIMESTAMP, 8, 4, 0, 0, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
    expect(compile([IPOPT_TIMESTAMP, 7, 5, IPOPT_TS_TSONLY, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
    // TSANDADDR needs 8 bytes from the pointer
    expect(compile([IPOPT_TIMESTAMP, 8, 5, IPOPT_TS_TSANDADDR, 0, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
    expect(compile([IPOPT_TIMESTAMP, 8, 5, IPOPT_TS_PRESPEC, 0, 0, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 22 });
  });

  it('unknown flags are tolerated on receive', () => {
    expect(compile([IPOPT_TIMESTAMP, 8, 5, 2, 0, 0, 0, 0]).err).toBeNull();
  });
});

describe('ipOptionsCompile: router alert', () => {
  it('records only value 0; length < 4 points at the length', () => {
    expect(compile([IPOPT_RA, 4, 0, 0]).out.routerAlert).toBe(20);
    expect(compile([IPOPT_RA, 4, 0, 1])).toMatchObject({ err: null, out: { routerAlert: 0 } });
    expect(compile([IPOPT_RA, 3, 0, 0]).err).toEqual({ reason: 'IP_INHDR', pointer: 21 });
  });
});

describe('ipOptionsCompile properties', () => {
  it('never throws, never reads outside the header, and points inside the options area (property)', () => {
    const interesting = fc.constantFrom(0, 1, IPOPT_RR, IPOPT_TIMESTAMP, IPOPT_LSRR, IPOPT_SSRR, IPOPT_RA, 130, 0x99);
    const optionBytes = fc.array(fc.oneof(interesting, fc.integer({ min: 0, max: 255 })), { minLength: 0, maxLength: 40 });
    fc.assert(
      fc.property(optionBytes, fc.nat(6), (opts, lead) => {
        const { buf, hl } = withOptions(opts, lead);
        // Poison the bytes around the header: a read outside it would change the answer.
        const poisoned = new Uint8Array(buf.length + 8).fill(0xff);
        poisoned.set(buf);
        for (let i = 0; i < lead; i++) poisoned[i] = 0xff;
        const a = newIpOptions();
        const b = newIpOptions();
        const errA = ipOptionsCompile(buf, lead, hl, a);
        const errB = ipOptionsCompile(poisoned, lead, hl, b);
        expect(errB).toEqual(errA);
        expect(b).toEqual(a);
        if (errA !== null) {
          expect(errA.reason).toBe('IP_INHDR');
          expect(errA.pointer).toBeGreaterThanOrEqual(20);
          expect(errA.pointer).toBeLessThan(hl);
        } else {
          for (const at of [a.rr, a.ts, a.srr, a.routerAlert]) {
            if (at !== 0) expect(at).toBeGreaterThanOrEqual(20);
            expect(at).toBeLessThan(hl);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
