/**
 * Argument checks with Node's error codes and messages (lib/internal/validators.js behaviour).
 */
import { errInvalidArgType, errOutOfRange } from '../errors/node-errors.js';
import { errBadPort } from './errors.js';

/** `validatePort`: a number or numeric string in 0..65535 (1.. unless `allowZero`). */
export function validatePort(port: unknown, name = 'Port', allowZero = true): number {
  if (
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== +port >>> 0 ||
    +port > 0xffff ||
    (+port === 0 && !allowZero)
  ) {
    throw errBadPort(name, port, allowZero);
  }
  return +port | 0;
}

// A dotted name ('options.recvBufferSize') is a "property" in the message, as Node words it.

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw errInvalidArgType(name, 'string', value);
}

export function validateNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw errInvalidArgType(name, 'number', value);
}

export function validateFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw errInvalidArgType(name, 'function', value);
}

export function validateUint32(value: unknown, name: string, positive = false): asserts value is number {
  if (typeof value !== 'number') throw errInvalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw errOutOfRange(name, 'an integer', value);
  const min = positive ? 1 : 0;
  if (value < min || value > 4294967295) throw errOutOfRange(name, `>= ${min} && <= 4294967295`, value);
}

export function isArrayBufferView(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}
