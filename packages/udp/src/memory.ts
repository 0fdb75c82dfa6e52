/**
 * Socket memory for UDP: the receive side charges `truesize` against SO_RCVBUF and, in whole
 * pages, against the protocol-wide `udp_mem` budget (`udp_rmem_schedule` /
 * `__sk_mem_raise_allocated`); the send side charges `truesize` against SO_SNDBUF until the
 * buffer is freed (`skb_set_owner_w` + the SOCK_WFREE destructor, `sock_wfree`).
 */
import { SKB_DESTRUCTOR_SOCK_WFREE, type SkBuff, type SkBuffPool } from '@netstack/core';
import { PAGE_SIZE } from './constants.js';

/**
 * The socket fields memory accounting touches (`struct sock`'s sk_rmem_alloc, sk_wmem_alloc,
 * sk_forward_alloc). Any transport whose buffers carry SOCK_WFREE implements `sockWfree`.
 */
export interface SockMem {
  rmemAlloc: number;
  wmemAlloc: number;
  forwardAlloc: number;
  /** `sock_wfree`: `truesize` bytes of a sent buffer came back. */
  sockWfree(truesize: number): void;
}

/**
 * UDP's share of `proto->memory_allocated`, in pages. Linux keeps one per protocol for the whole
 * kernel (net.ipv4.udp_mem is not per namespace), so there is one per World.
 */
export class UdpMemory {
  allocated = 0;
}

/**
 * `sock_wfree` for every buffer with destructor SOCK_WFREE: hand `truesize` back to the owning
 * socket. One function for the whole pool; the socket decides what "write space" means.
 */
export function sockWfree(skb: SkBuff): void {
  (skb.sk as SockMem).sockWfree(skb.truesize);
}

/** Install `sockWfree` for SOCK_WFREE on a World's pool (idempotent: every namespace does it). */
export function installWfree(pool: SkBuffPool): void {
  pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, sockWfree);
}

/** `skb_set_owner_w`: charge a buffer to the sending socket until it is freed. */
export function skbSetOwnerW(skb: SkBuff, sk: SockMem): void {
  skb.sk = sk;
  skb.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
  sk.wmemAlloc += skb.truesize;
}

/**
 * `udp_rmem_schedule` for `size` bytes: use the socket's forward allocation, else raise the
 * protocol's allocation by whole pages. Over `udp_mem[2]` the kernel still lets a socket whose
 * queue holds less than `udp_rmem_min` receive (`sk_get_rmem0`), so a quiet socket is never
 * starved by a busy one. Returns false when the memory cannot be had (PROTO_MEM).
 */
export function rmemSchedule(mem: UdpMemory, sk: SockMem, size: number, hardLimitPages: number, rmemMin: number): boolean {
  const delta = size - sk.forwardAlloc;
  if (delta <= 0) return true;
  const pages = Math.ceil(delta / PAGE_SIZE);
  mem.allocated += pages;
  if (mem.allocated > hardLimitPages && sk.rmemAlloc >= rmemMin) {
    mem.allocated -= pages;
    return false;
  }
  sk.forwardAlloc += pages * PAGE_SIZE;
  return true;
}

/** Charge an accepted datagram (after `rmemSchedule` succeeded). */
export function rmemCharge(sk: SockMem, size: number): void {
  sk.forwardAlloc -= size;
  sk.rmemAlloc += size;
}

/** `udp_rmem_release`: a datagram left the queue; whole pages go back to the protocol. */
export function rmemRelease(mem: UdpMemory, sk: SockMem, size: number): void {
  sk.rmemAlloc -= size;
  sk.forwardAlloc += size;
  const pages = Math.floor(sk.forwardAlloc / PAGE_SIZE);
  if (pages > 0) {
    sk.forwardAlloc -= pages * PAGE_SIZE;
    mem.allocated -= pages;
  }
}
