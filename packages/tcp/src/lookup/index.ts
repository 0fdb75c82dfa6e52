/**
 * TCP socket lookup: the established hash (full sockets, TIME_WAIT and request sockets), the
 * listener hash with `compute_score`, and the bind table with ephemeral port selection.
 */
export { EH_FULL, EH_REQUEST, EH_TIME_WAIT, EstablishedTable, type EhKind } from './established-table.js';
export { computeScore, Listener, ListenReuseGroup, ListenTable, type ListenOptions } from './listen-table.js';
export {
  addrOverlap,
  BindBucket,
  BindOwner,
  BindTable,
  ownersConflict,
  OWNER_BOUND,
  OWNER_CONNECTED,
  OWNER_LISTEN,
  OWNER_TIME_WAIT,
  type BindOptions,
  type BindTableOptions,
  type OwnerState,
} from './bind-table.js';
export { TupleHash } from './tuple-hash.js';
export { hashWords, reciprocalScale } from './hash.js';
