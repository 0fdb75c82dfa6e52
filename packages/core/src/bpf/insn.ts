/**
 * Classic BPF (`include/uapi/linux/filter.h`, `bpf_common.h`): the instruction format and opcode
 * fields every filter user shares — packet sockets, `SO_ATTACH_FILTER` on UDP and TCP sockets,
 * and the pcap-filter compiler. A program is an array of `struct sock_filter`
 * `{ code: u16, jt: u8, jf: u8, k: u32 }`; the validator, interpreter and JIT live beside this.
 */

/** `struct sock_filter`. */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** A classic BPF program (`struct sock_fprog`'s filter array). */
export type BpfProgram = readonly SockFilter[];

/** `BPF_MAXINSNS`: the longest program the kernel accepts. */
export const BPF_MAXINSNS = 4096;
/** `BPF_MEMWORDS`: scratch memory M[0..15]. */
export const BPF_MEMWORDS = 16;

// Instruction classes (code & 0x07).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// ld/ldx size (code & 0x18).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// ld/ldx mode (code & 0xe0).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// alu/jmp operation (code & 0xf0).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// source operand (code & 0x08).
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// ret value (code & 0x18).
export const BPF_A = 0x10;

// misc operation (code & 0xf8).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Field accessors, as the C macros `BPF_CLASS`, `BPF_SIZE`, `BPF_MODE`, `BPF_OP`, `BPF_SRC`, `BPF_RVAL`, `BPF_MISCOP`. */
export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;
export const bpfMiscOp = (code: number): number => code & 0xf8;

/** `BPF_STMT(code, k)` and `BPF_JUMP(code, k, jt, jf)`. */
export function bpfStmt(code: number, k: number): SockFilter {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

export function bpfJump(code: number, k: number, jt: number, jf: number): SockFilter {
  return { code, jt, jf, k: k >>> 0 };
}

/**
 * Ancillary data (`SKF_AD_*`): loads at `SKF_AD_OFF + n` read packet metadata instead of bytes
 * (what tcpdump's `vlan`, `inbound`/`outbound` and `ifindex` use).
 */
export const SKF_AD_OFF = -0x1000 >>> 0;
export const SKF_AD_PROTOCOL = 0;
export const SKF_AD_PKTTYPE = 4;
export const SKF_AD_IFINDEX = 8;
export const SKF_AD_NLATTR = 12;
export const SKF_AD_NLATTR_NEST = 16;
export const SKF_AD_MARK = 20;
export const SKF_AD_QUEUE = 24;
export const SKF_AD_HATYPE = 28;
export const SKF_AD_RXHASH = 32;
export const SKF_AD_CPU = 36;
export const SKF_AD_ALU_XOR_X = 40;
export const SKF_AD_VLAN_TAG = 44;
export const SKF_AD_VLAN_TAG_PRESENT = 48;
export const SKF_AD_PAY_OFFSET = 52;
export const SKF_AD_RANDOM = 56;
export const SKF_AD_VLAN_TPID = 60;
export const SKF_AD_MAX = 64;
/** Loads at `SKF_NET_OFF + k` / `SKF_LL_OFF + k` are relative to the network / link header. */
export const SKF_NET_OFF = -0x100000 >>> 0;
export const SKF_LL_OFF = -0x200000 >>> 0;
