/**
 * The reference classic BPF interpreter: what a program means, instruction by instruction, with
 * the semantics the kernel gives a classic program today (it converts cBPF to eBPF in
 * `bpf_convert_filter()` and runs that with `___bpf_prog_run()` or a JIT):
 * - A, X and M[0..15] are unsigned 32-bit and start at 0; arithmetic wraps modulo 2^32.
 * - Packet loads are big-endian; a load that does not fit in the packet ends the program
 *   returning 0 (drop). Negative offsets reach the network/link-layer header (`SKF_NET_OFF`,
 *   `SKF_LL_OFF`); IND loads use `(X + k)` wrapped to a signed 32-bit offset.
 * - `LDX B MSH k` is `X = 4 * (P[k] & 0xf)`, loaded like an ABS byte (same bounds, same fail).
 * - Division or modulo by X = 0 ends the program returning 0 (constant 0 is refused by the
 *   validator).
 * - Shifts by X use the count modulo 32 (`(u32) SRC & 31`, as the eBPF interpreter has masked
 *   since 2021 and the x86 JIT's `shl/shr %cl` always did); constant shifts ≥ 32 never validate.
 * - Jumps compare unsigned; JSET tests `A & operand != 0`.
 * - RET returns its u32 value: the number of bytes to keep, 0 = drop.
 * The program must have passed `bpfValidate()`; the interpreter does not re-check it (an
 * unknown opcode or running off the end returns 0, which a validated program never reaches).
 */
import { BpfContext, type BpfRandom } from './context.js';
import {
  SKF_AD_ALU_XOR_X,
  SKF_AD_CPU,
  SKF_AD_HATYPE,
  SKF_AD_IFINDEX,
  SKF_AD_MARK,
  SKF_AD_NLATTR,
  SKF_AD_NLATTR_NEST,
  SKF_AD_OFF,
  SKF_AD_PAY_OFFSET,
  SKF_AD_PKTTYPE,
  SKF_AD_PROTOCOL,
  SKF_AD_QUEUE,
  SKF_AD_RANDOM,
  SKF_AD_RXHASH,
  SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT,
  SKF_AD_VLAN_TPID,
  type BpfProgram,
} from './insn.js';
import { bpfPayOffset } from './pay-offset.js';
import { bpfLoad, bpfNlattr, bpfNlattrNest } from './runtime.js';
import { NetError } from '../errors/net-error.js';

/** The random source of a context made up for a run without one: SKF_AD_RANDOM needs a real one. */
const NO_RANDOM: BpfRandom = {
  u32(): number {
    throw new NetError('EINVAL', 'bpf: SKF_AD_RANDOM needs a BpfContext with a random source');
  },
};

/** Load size in bytes from the size field (W 0x00, H 0x08, B 0x10). */
const sizeOf = (code: number): number => (code & 0x18) === 0x00 ? 4 : (code & 0x18) === 0x08 ? 2 : 1;

/**
 * Run `prog` on the packet `pkt[off .. off + len)` (`pkt` is the whole buffer, so SKF_NET_OFF /
 * SKF_LL_OFF loads can reach headers before `off`). Returns the u32 result: bytes to keep, 0 =
 * drop. Without `ctx` the ancillary data reads as zero / absent (allocating a context per call);
 * pass a reused `BpfContext` on the packet path.
 */
export function bpfRun(prog: BpfProgram, pkt: Uint8Array, off: number, len: number, ctx?: BpfContext): number {
  const c = ctx ?? new BpfContext(NO_RANDOM);
  const mem = c.mem;
  mem.fill(0);
  let A = 0;
  let X = 0;
  const n = prog.length;
  for (let pc = 0; pc < n; pc++) {
    const ins = prog[pc]!;
    const code = ins.code;
    const k = ins.k;
    switch (code) {
      // --- loads into A ---
      case 0x00: // ld #k
        A = k;
        break;
      case 0x20:
      case 0x28:
      case 0x30: {
        // ld [k] (W/H/B ABS), or an ancillary load at SKF_AD_OFF + n.
        if (k >= SKF_AD_OFF) {
          switch (k - SKF_AD_OFF) {
            case SKF_AD_PROTOCOL:
              A = c.protocol & 0xffff;
              break;
            case SKF_AD_PKTTYPE:
              A = c.pktType & 7;
              break;
            case SKF_AD_IFINDEX:
              if (c.ifindex === 0) return A; // no skb->dev: the converted program exits with A
              A = c.ifindex >>> 0;
              break;
            case SKF_AD_HATYPE:
              if (c.ifindex === 0) return A;
              A = c.hatype & 0xffff;
              break;
            case SKF_AD_MARK:
              A = c.mark >>> 0;
              break;
            case SKF_AD_QUEUE:
              A = c.queue & 0xffff;
              break;
            case SKF_AD_RXHASH:
              A = c.rxhash >>> 0;
              break;
            case SKF_AD_CPU:
              A = c.cpu >>> 0;
              break;
            case SKF_AD_NLATTR:
              A = bpfNlattr(pkt, off, len, A, X);
              break;
            case SKF_AD_NLATTR_NEST:
              A = bpfNlattrNest(pkt, off, len, A, X);
              break;
            case SKF_AD_ALU_XOR_X:
              A = (A ^ X) >>> 0;
              break;
            case SKF_AD_VLAN_TAG:
              A = c.vlanTci & 0xffff;
              break;
            case SKF_AD_VLAN_TAG_PRESENT:
              A = c.vlanPresent ? 1 : 0;
              break;
            case SKF_AD_VLAN_TPID:
              A = c.vlanTpid & 0xffff;
              break;
            case SKF_AD_PAY_OFFSET:
              A = bpfPayOffset(pkt, off, len, c);
              break;
            case SKF_AD_RANDOM:
              A = c.random.u32() >>> 0;
              break;
            default:
              return 0; // not a validated program
          }
          break;
        }
        const v = bpfLoad(pkt, off, len, c, k | 0, sizeOf(code));
        if (v < 0) return 0;
        A = v;
        break;
      }
      case 0x40:
      case 0x48:
      case 0x50: {
        // ld [x + k] (W/H/B IND)
        const v = bpfLoad(pkt, off, len, c, (X + k) | 0, sizeOf(code));
        if (v < 0) return 0;
        A = v;
        break;
      }
      case 0x60: // ld M[k]
        A = mem[k]!;
        break;
      case 0x80: // ld #len
        A = len;
        break;
      // --- loads into X ---
      case 0x01: // ldx #k
        X = k;
        break;
      case 0x61: // ldx M[k]
        X = mem[k]!;
        break;
      case 0x81: // ldx #len
        X = len;
        break;
      case 0xb1: {
        // ldxb 4*([k]&0xf)
        const v = bpfLoad(pkt, off, len, c, k | 0, 1);
        if (v < 0) return 0;
        X = (v & 0xf) << 2;
        break;
      }
      // --- stores ---
      case 0x02: // st M[k]
        mem[k] = A;
        break;
      case 0x03: // stx M[k]
        mem[k] = X;
        break;
      // --- ALU, K then X ---
      case 0x04:
        A = (A + k) >>> 0;
        break;
      case 0x0c:
        A = (A + X) >>> 0;
        break;
      case 0x14:
        A = (A - k) >>> 0;
        break;
      case 0x1c:
        A = (A - X) >>> 0;
        break;
      case 0x24:
        A = Math.imul(A, k) >>> 0;
        break;
      case 0x2c:
        A = Math.imul(A, X) >>> 0;
        break;
      case 0x34: // exact: for u32 operands the rounded double quotient never crosses an integer
        A = (A / k) >>> 0;
        break;
      case 0x3c:
        if (X === 0) return 0;
        A = (A / X) >>> 0;
        break;
      case 0x94:
        A = A % k;
        break;
      case 0x9c:
        if (X === 0) return 0;
        A = A % X;
        break;
      case 0x44:
        A = (A | k) >>> 0;
        break;
      case 0x4c:
        A = (A | X) >>> 0;
        break;
      case 0x54:
        A = (A & k) >>> 0;
        break;
      case 0x5c:
        A = (A & X) >>> 0;
        break;
      case 0xa4:
        A = (A ^ k) >>> 0;
        break;
      case 0xac:
        A = (A ^ X) >>> 0;
        break;
      case 0x64:
        A = (A << k) >>> 0;
        break;
      case 0x6c: // JS masks the count with & 31, as the kernel does
        A = (A << X) >>> 0;
        break;
      case 0x74:
        A = A >>> k;
        break;
      case 0x7c:
        A = A >>> X;
        break;
      case 0x84: // neg
        A = -A >>> 0;
        break;
      // --- jumps (forward only; pc++ follows) ---
      case 0x05:
        pc += k;
        break;
      case 0x15:
        pc += A === k ? ins.jt : ins.jf;
        break;
      case 0x1d:
        pc += A === X ? ins.jt : ins.jf;
        break;
      case 0x25:
        pc += A > k ? ins.jt : ins.jf;
        break;
      case 0x2d:
        pc += A > X ? ins.jt : ins.jf;
        break;
      case 0x35:
        pc += A >= k ? ins.jt : ins.jf;
        break;
      case 0x3d:
        pc += A >= X ? ins.jt : ins.jf;
        break;
      case 0x45:
        pc += (A & k) !== 0 ? ins.jt : ins.jf;
        break;
      case 0x4d:
        pc += (A & X) !== 0 ? ins.jt : ins.jf;
        break;
      // --- return, misc ---
      case 0x06:
        return k;
      case 0x16:
        return A;
      case 0x07: // tax
        X = A;
        break;
      case 0x87: // txa
        A = X;
        break;
      default:
        return 0;
    }
  }
  return 0;
}
