/**
 * Errors from the pcap-filter compiler. `message` is libpcap's text where libpcap has one
 * (`syntax error`, `division by zero`, `unknown host 'foo'`, `expression rejects all packets`...);
 * `kind` says which stage failed and `position` (0-based offset into the expression, when known)
 * points at the token where parsing stopped.
 */
export type FilterErrorKind = 'syntax' | 'semantic' | 'unsupported' | 'optimizer';

export class PcapFilterError extends Error {
  override readonly name = 'PcapFilterError';
  constructor(
    message: string,
    readonly kind: FilterErrorKind,
    /** Offset of the offending token in the expression, if the error is tied to one. */
    readonly position?: number,
    /** The whole expression being compiled. */
    readonly expression?: string,
  ) {
    super(message);
  }

  /** The message as tcpdump prints it (`can't parse filter expression: syntax error`, ...). */
  get tcpdumpMessage(): string {
    return this.kind === 'syntax' && this.message === 'syntax error'
      ? `can't parse filter expression: ${this.message}`
      : this.message;
  }

  /** A one-line caret diagram under the expression (empty without a position). */
  caret(): string {
    if (this.position === undefined || this.expression === undefined) return '';
    return `${this.expression}\n${' '.repeat(this.position)}^`;
  }
}

/** libpcap's `bpf_error` for semantic errors raised during code generation. */
export function semanticError(message: string): never {
  throw new PcapFilterError(message, 'semantic');
}
