/**
 * pcapng constants (draft-ietf-opsawg-pcapng): block types, option codes, epb_flags bits, and
 * the section and interface descriptions a reader builds from SHBs and IDBs.
 */
import type { PcapngOption } from './record.js';
import type { TsResolution } from './timestamp.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
/** Packet Block (obsolete; read only). */
export const PCAPNG_PB = 0x00000002;
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_NRB = 0x00000004;
export const PCAPNG_ISB = 0x00000005;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_DSB = 0x0000000a;
export const PCAPNG_CB_COPY = 0x00000bad;
export const PCAPNG_CB_NOCOPY = 0x40000bad;
/** The SHB's byte-order magic, as written in the writer's order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;

export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_IPV4ADDR = 4;
export const IF_IPV6ADDR = 5;
export const IF_MACADDR = 6;
export const IF_EUIADDR = 7;
export const IF_SPEED = 8;
export const IF_TSRESOL = 9;
export const IF_TZONE = 10;
export const IF_FILTER = 11;
export const IF_OS = 12;
export const IF_FCSLEN = 13;
export const IF_TSOFFSET = 14;
export const IF_HARDWARE = 15;

export const EPB_FLAGS = 2;
export const EPB_HASH = 3;
export const EPB_DROPCOUNT = 4;
export const EPB_PACKETID = 5;
export const EPB_QUEUE = 6;
export const EPB_VERDICT = 7;

/** epb_flags bits 0-1: direction. */
export const EPB_DIR_UNKNOWN = 0;
export const EPB_DIR_INBOUND = 1;
export const EPB_DIR_OUTBOUND = 2;
/** epb_flags bits 2-4: reception type. */
export const EPB_RECV_UNSPECIFIED = 0 << 2;
export const EPB_RECV_UNICAST = 1 << 2;
export const EPB_RECV_MULTICAST = 2 << 2;
export const EPB_RECV_BROADCAST = 3 << 2;
export const EPB_RECV_PROMISCUOUS = 4 << 2;

/** What a Section Header Block said. */
export interface PcapngSection {
  /** 0 for the first section of the file. */
  index: number;
  offset: number;
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  /** Section length in bytes, or -1n when the writer did not know it. */
  sectionLength: bigint;
  hardware: string | null;
  os: string | null;
  userappl: string | null;
  comments: string[];
  /** The section's interfaces, by id, as their IDBs arrive. */
  interfaces: PcapngInterface[];
  /** Every option of the SHB (views into the file). */
  options: PcapngOption[];
}

/** What an Interface Description Block said. */
export interface PcapngInterface {
  /** Interface id in its section. */
  id: number;
  sectionIndex: number;
  offset: number;
  linktype: number;
  /** 0: no limit. */
  snaplen: number;
  name: string | null;
  description: string | null;
  /** The if_tsresol byte, or null when absent (µs). */
  tsresolRaw: number | null;
  tsresol: TsResolution;
  /** if_tsoffset in seconds (added to every timestamp), 0 when absent. */
  tsoffset: number;
  /** if_fcslen, or -1 when absent. */
  fcsLen: number;
  comments: string[];
  /** Every option of the IDB (views into the file). */
  options: PcapngOption[];
}
