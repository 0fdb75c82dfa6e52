/**
 * What every tool (`ip`, `sysctl`, `ping`) shares: where its text goes, and how it ends. A tool
 * writes to `out`/`err` and returns its exit status; a failure that ends the tool at once (as
 * iproute2's `exit(-1)` or a `return -1` up to `main`) is a `ToolExit` carrying the status and the
 * message the real tool prints on stderr.
 */

/** Ends a tool with `status`; `message` (one or more lines, without the final newline) goes to stderr. */
export class ToolExit extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ToolExit';
  }
}

/** The text a tool printed and its exit status. */
export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Where a streaming `ToolIo` sends text as it is written. */
export interface ToolStreams {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Collects a tool's output (tests and lab steps read it), or with `streams` hands it on as it is
 * written (the CLI: `tcpdump -r` of a large file prints as it reads, stderr and stdout in order).
 */
export class ToolIo {
  private readonly outChunks: string[] = [];
  private readonly errChunks: string[] = [];

  constructor(private readonly streams: ToolStreams | null = null) {}

  out(text: string): void {
    if (this.streams !== null) this.streams.stdout(text);
    else this.outChunks.push(text);
  }

  err(text: string): void {
    if (this.streams !== null) this.streams.stderr(text);
    else this.errChunks.push(text);
  }

  get stdout(): string {
    return this.outChunks.join('');
  }

  get stderr(): string {
    return this.errChunks.join('');
  }

  result(status: number): ToolResult {
    return { status, stdout: this.stdout, stderr: this.stderr };
  }
}

/** `strerror(3)` texts for the errno names the stack throws (glibc wording). */
const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  EDOM: 'Numerical argument out of domain',
  ERANGE: 'Numerical result out of range',
  ELOOP: 'Too many levels of symbolic links',
  ENOBUFS: 'No buffer space available',
  EMSGSIZE: 'Message too long',
  EPROTONOSUPPORT: 'Protocol not supported',
  EOPNOTSUPP: 'Operation not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTDOWN: 'Host is down',
  ENOTCONN: 'Transport endpoint is not connected',
  EISCONN: 'Transport endpoint is already connected',
  EMLINK: 'Too many links',
  EOVERFLOW: 'Value too large for defined data type',
  EPROTO: 'Protocol error',
};

/** `strerror` of an errno name (`EEXIST` → `File exists`). */
export function strerror(code: string): string {
  return STRERROR[code] ?? code;
}

/** A NetError-like value thrown by the stack: an Error with an errno name in `code`. */
export function errnoOf(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as unknown as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/** The message of a NetError without its `CODE: ` prefix. */
export function netErrorText(err: Error): string {
  const code = errnoOf(err);
  return code !== null && err.message.startsWith(`${code}: `) ? err.message.slice(code.length + 2) : err.message;
}

/**
 * Split a command line as a POSIX shell would for the simple cases lab files use: words separated
 * by blanks, with '…' and "…" quoting and backslash escapes. Throws on an unterminated quote.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' quote in: ${line}`);
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i]!;
        i++;
      }
      if (i >= line.length) throw new Error(`unterminated " quote in: ${line}`);
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1]!;
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
