/**
 * Name resolution for connect() and listen(). A simulated host has no resolver, so the
 * built-in `dns.lookup` knows IP literals and `localhost` (127.0.0.1: the stack is IPv4-only);
 * anything else is `getaddrinfo ENOTFOUND`, unless the caller passes `options.lookup`, which is
 * called as Node calls it: `(hostname, { family, hints }, (err, address, family) => ...)`.
 */
import { isIP } from 'node:net';
import { errNotFound } from '../errors/node-errors.js';
import type { NetIo } from './io.js';

export type LookupCallback = (err: Error | null, address: string, family: number) => void;
export interface LookupOptions {
  family?: number;
  hints?: number;
}
/** `dns.lookup`-shaped resolver. */
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** The resolver of a namespace without DNS; its callback runs on the next tick, as dns.lookup's does. */
export function builtinLookup(io: NetIo): LookupFunction {
  return (hostname, options, callback) => {
    let ip: string | null = null;
    let family = 4;
    const literal = isIP(hostname);
    if (literal !== 0) {
      ip = hostname;
      family = literal;
    } else if (hostname === 'localhost' && options.family !== 6) {
      ip = '127.0.0.1';
    }
    io.nextTick(() => (ip === null ? callback(errNotFound(hostname), '', 0) : callback(null, ip, family)));
  };
}
