/** Neighbour Unreachability Detection states (include/uapi/linux/neighbour.h). */
export const NUD_NONE = 0x00;
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;

/** States with a running timer. */
export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
/** States with a usable link-layer address. */
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
/** States whose address is known to work right now. */
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

/** `neigh_update` flags (include/net/neighbour.h). */
export const NEIGH_UPDATE_F_OVERRIDE = 1 << 0;
export const NEIGH_UPDATE_F_WEAK_OVERRIDE = 1 << 1;
export const NEIGH_UPDATE_F_OVERRIDE_ISROUTER = 1 << 2;
export const NEIGH_UPDATE_F_ADMIN = 1 << 31;

/** The state name `ip neigh` prints. */
export function nudStateName(state: number): string {
  switch (state) {
    case NUD_NONE:
      return 'NONE';
    case NUD_INCOMPLETE:
      return 'INCOMPLETE';
    case NUD_REACHABLE:
      return 'REACHABLE';
    case NUD_STALE:
      return 'STALE';
    case NUD_DELAY:
      return 'DELAY';
    case NUD_PROBE:
      return 'PROBE';
    case NUD_FAILED:
      return 'FAILED';
    case NUD_NOARP:
      return 'NOARP';
    case NUD_PERMANENT:
      return 'PERMANENT';
    default:
      return `0x${state.toString(16)}`;
  }
}
