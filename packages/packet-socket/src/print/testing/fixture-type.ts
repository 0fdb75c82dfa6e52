/** One fixed case: frames printed in order by one printer, and tcpdump's text for them. */
export interface PrintFixture {
  readonly name: string;
  /** tcpdump flags the text was produced with. */
  readonly args: readonly string[];
  /** [seconds, nanoseconds, length on the wire, captured bytes as hex]. */
  readonly frames: readonly (readonly [number, number, number, string])[];
  /** tcpdump's stdout without the final newline. */
  readonly text: string;
}
