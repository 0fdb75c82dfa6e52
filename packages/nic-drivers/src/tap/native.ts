/**
 * The native half of the TAP driver (native/tun.c, built by `npm install` with node-gyp against
 * the local Node headers): loaded on first use, so importing `@netstack/nic-drivers` works where
 * it was not built (another OS) and only creating a TAP device fails, with a clear error.
 */
import { createRequire } from 'node:module';
import { NetError } from '@netstack/core';

/** The addon's functions; each returns a negative errno instead of throwing. */
export interface TunNative {
  open(name: string, flags: number): number;
  ifname(fd: number): string | number;
  setVnetHdrSz(fd: number, size: number): number;
  setOffload(fd: number, tunFlags: number): number;
  linkUp(name: string): number;
  read(fd: number, buf: Uint8Array, offset: number, maxLen: number): number;
  write(fd: number, buf: Uint8Array, offset: number, len: number): number;
  close(fd: number): number;
  pollStart(fd: number, onReady: (events: number) => void): TunWatcher;
  pollEvents(watcher: TunWatcher, events: number): number;
  pollRef(watcher: TunWatcher, ref: boolean): number;
  pollClose(watcher: TunWatcher): number;
}

/** An opaque libuv poll handle. */
export type TunWatcher = { readonly __tunWatcher: never };

/** libuv's poll events. */
export const UV_READABLE = 1;
export const UV_WRITABLE = 2;

/** Where node-gyp puts the addon, relative to this file (src/tap/ and dist/tap/ alike). */
const ADDON = '../../build/Release/netstack_tun.node';

const loaded: { native: TunNative | null } = { native: null };

/** The addon, loaded once. Throws ENOSYS when it was not built (or cannot be on this OS). */
export function tunNative(): TunNative {
  if (loaded.native !== null) return loaded.native;
  if (process.platform !== 'linux') throw new NetError('ENOSYS', `TAP devices need Linux (this is ${process.platform})`);
  try {
    loaded.native = createRequire(import.meta.url)(ADDON) as TunNative;
  } catch (err) {
    throw new NetError(
      'ENOSYS',
      `the TAP addon of @netstack/nic-drivers is not built (${(err as Error).message.split('\n')[0]}); ` +
        'run `npm rebuild @netstack/nic-drivers` (needs a C compiler, make and python3; headers from the local Node)',
    );
  }
  return loaded.native;
}
