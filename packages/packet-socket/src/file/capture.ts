/**
 * Opening a capture held in memory whatever its format: pcap (either magic, either byte order)
 * or pcapng, told apart by the first four bytes.
 */
import { CaptureFileError } from './errors.js';
import { rd32 } from './bytes.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import { detectCaptureFormat } from './stream.js';

export type CaptureReader = PcapReader | PcapngReader;

/** A reader for `bytes` (CaptureFileError when it is neither format or its header is bad). */
export function openCapture(bytes: Uint8Array): CaptureReader {
  const format = detectCaptureFormat(bytes);
  if (format === 'pcap') return new PcapReader(bytes);
  if (format === 'pcapng') return new PcapngReader(bytes);
  if (bytes.length < 4) throw new CaptureFileError(null, 0, `file magic needs 4 bytes, only ${bytes.length} present`, true);
  throw new CaptureFileError(null, 0, `unknown file magic 0x${rd32(bytes, 0, false).toString(16).padStart(8, '0')} (neither pcap nor pcapng)`);
}
