/**
 * `ts_print` for `-t` counts 0-5. Calendar fields are computed arithmetically (days-to-civil)
 * from the seconds plus the zone offset; the local offset comes from one reused `Date`, so no
 * object is created per packet. Fractions are microseconds unless `nano` is set.
 */
import type { NormalizedOptions } from './options.js';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function frac(f: number, nano: boolean): string {
  return '.' + String(f).padStart(nano ? 9 : 6, '0');
}

/** `HH:MM:SS` (and the date) of `secs` seconds since the epoch, already shifted to the zone. */
function civil(secs: number, withDate: boolean): string {
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const hms = pad2(Math.floor(sod / 3600)) + ':' + pad2(Math.floor((sod % 3600) / 60)) + ':' + pad2(sod % 60);
  if (!withDate) return hms;
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return String(y).padStart(4, '0') + '-' + pad2(m) + '-' + pad2(d) + ' ' + hms;
}

export class TimestampFormatter {
  private readonly date = new Date(0);
  private refSec = -1;
  private refFrac = 0;

  constructor(private readonly o: NormalizedOptions) {}

  /** Forget the reference packet of `-ttt`/`-ttttt`. */
  reset(): void {
    this.refSec = -1;
  }

  private offset(sec: number): number {
    const tz = this.o.tz;
    if (tz === 'utc') return 0;
    if (typeof tz === 'number') return tz;
    this.date.setTime(sec * 1000);
    return -this.date.getTimezoneOffset() * 60;
  }

  /** The prefix for a packet at `sec` seconds and `nsec` nanoseconds, trailing space included. */
  format(sec: number, nsec: number): string {
    const o = this.o;
    const f = o.nano ? nsec : Math.floor(nsec / 1000);
    switch (o.t) {
      case 1:
        return '';
      case 2:
        if (sec < 0 || sec > 0x7fffffff) return '[Error converting time] ';
        return sec + frac(f, o.nano) + ' ';
      case 3:
      case 5: {
        if (this.refSec < 0) {
          this.refSec = sec;
          this.refFrac = f;
        }
        const unit = o.nano ? 1e9 : 1e6;
        const neg = sec < this.refSec || (sec === this.refSec && f < this.refFrac);
        let ds = neg ? this.refSec - sec : sec - this.refSec;
        let df = neg ? this.refFrac - f : f - this.refFrac;
        if (df < 0) {
          df += unit;
          ds -= 1;
        }
        if (o.t === 3) {
          this.refSec = sec;
          this.refFrac = f;
        }
        return (neg ? '-' : ' ') + civil(ds, false) + frac(df, o.nano) + ' ';
      }
      default: {
        if (sec < 0 || sec > 0x7fffffff) return '[Error converting time] ';
        return civil(sec + this.offset(sec), o.t === 4) + frac(f, o.nano) + ' ';
      }
    }
  }
}
