/**
 * iproute2 ss's output engine (misc/ss.c of iproute2-6.1: `columns[]`, `out`, `field_flush`,
 * `render_calc_width`, `render`), for output that is not a terminal, as when piped or captured:
 * every field is a token in its column; a column is as wide as its longest token (plus its left
 * delimiter, except for the first column shown); right-aligned columns pad on the left, the
 * others on the right. Two quirks of the real tool are kept because they show in its output:
 * the `-i` details (`\n\t cubic ...`) are a token of the Process column, so they widen it and
 * pad the header; and the very last token is never flushed, so it does not count towards its
 * column's width.
 */

export const COL_NETID = 0;
export const COL_STATE = 1;
export const COL_RECVQ = 2;
export const COL_SENDQ = 3;
export const COL_ADDR = 4;
export const COL_SERV = 5;
export const COL_RADDR = 6;
export const COL_RSERV = 7;
export const COL_PROC = 8;
/** The unnamed last column (COL_EXT); rows print nothing in it. */
export const COL_EXT = 9;
const COL_MAX = 10;

interface Column {
  align: 'left' | 'right';
  header: string;
  ldelim: string;
}

const COLUMNS: readonly Column[] = [
  { align: 'left', header: 'Netid', ldelim: '' },
  { align: 'left', header: 'State', ldelim: ' ' },
  { align: 'left', header: 'Recv-Q', ldelim: ' ' },
  { align: 'left', header: 'Send-Q', ldelim: ' ' },
  { align: 'right', header: 'Local Address:', ldelim: ' ' },
  { align: 'left', header: 'Port', ldelim: '' },
  { align: 'right', header: 'Peer Address:', ldelim: ' ' },
  { align: 'left', header: 'Port', ldelim: '' },
  { align: 'left', header: 'Process', ldelim: '' },
  { align: 'left', header: '', ldelim: '' },
];

/** One socket's fields by column (COL_NETID .. COL_PROC); disabled columns are ignored. */
export type SsRow = readonly string[];

interface Token {
  col: number;
  text: string;
}

/**
 * The text ss prints for `rows` with the columns of `disabled` hidden (Netid with one socket
 * table, State with one state in the filter) and the header unless `noHeader` (-H).
 */
export function renderSsTable(rows: readonly SsRow[], disabled: readonly boolean[], noHeader: boolean): string {
  const enabled = (c: number): boolean => disabled[c] !== true;
  const tokens: Token[] = [];
  if (!noHeader) {
    // print_header: every column but the last; the last one's (empty) token opens next.
    for (let c = 0; c < COL_EXT; c++) if (enabled(c)) tokens.push({ col: c, text: COLUMNS[c]!.header });
    tokens.push({ col: COL_EXT, text: '' });
  }
  rows.forEach((row, i) => {
    for (let c = 0; c <= COL_PROC; c++) if (enabled(c)) tokens.push({ col: c, text: row[c] ?? '' });
    // The next socket's field_set(COL_NETID) flushes an empty COL_EXT; after the last, nothing.
    if (i < rows.length - 1) tokens.push({ col: COL_EXT, text: '' });
  });
  if (tokens.length === 0) return '';

  // field_flush measures every token but the last, which render() prints unflushed.
  const maxLen = new Array<number>(COL_MAX).fill(0);
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    maxLen[t.col] = Math.max(maxLen[t.col]!, t.text.length);
  }
  // render_calc_width, compact output (no terminal): content width plus the left delimiter.
  const width = new Array<number>(COL_MAX).fill(0);
  let first = true;
  for (let c = 0; c < COL_MAX; c++) {
    if (!enabled(c)) continue;
    width[c] = !first && maxLen[c]! > 0 ? maxLen[c]! + COLUMNS[c]!.ldelim.length : maxLen[c]!;
    if (width[c]! > 0) first = false;
  }

  // render
  let out = '';
  let f = 0;
  while (width[f] === 0) f++;
  let lineStarted = false;
  for (const t of tokens) {
    const col = COLUMNS[f]!;
    let printed = 0;
    if (lineStarted) {
      out += col.ldelim;
      printed = col.ldelim.length;
    }
    lineStarted = true;
    const w = width[f]!;
    if (w > 0 && col.align === 'right') {
      const s = w - t.text.length - printed;
      if (s > 0) {
        out += ' '.repeat(s);
        printed += s;
      }
    }
    out += t.text;
    printed += t.text.length;
    if (w > 0 && col.align === 'left') {
      const s = w - printed;
      if (s > 0) out += ' '.repeat(s);
    }
    do {
      if (f === COL_EXT) {
        out += '\n';
        f = 0;
        lineStarted = false;
      } else {
        f++;
      }
    } while (!enabled(f));
  }
  if (lineStarted) out += '\n';
  return out;
}
