// SIDs are a two-letter prefix plus 32 lower-case hex characters.
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'AC' | 'SK' | 'FW' | 'FN' | 'FT' | 'FC' | 'RQ' | 'SM' | 'CA' | 'US' | 'NO';

// Random bytes are drawn from the CSPRNG in blocks: one randomBytes call per 256 SIDs instead of
// one each (a measurable share of CPU per request in the benchmarks).
const POOL_BYTES = 16 * 256;
let pool = Buffer.alloc(0);
let offset = 0;

export function newSid(prefix: SidPrefix): string {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 16);
  offset += 16;
  return prefix + hex;
}

export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
