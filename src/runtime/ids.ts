// SIDs are a two-letter prefix plus 32 lower-case hex characters.
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'AC' | 'SK' | 'FW' | 'FN' | 'FT' | 'FC' | 'RQ' | 'SM' | 'CA' | 'US' | 'NO';

// Random bytes are drawn from the CSPRNG in blocks: one randomBytes call per 256 SIDs instead of
// one each (a measurable share of CPU per request in the benchmarks).
const POOL_BYTES = 16 * 256;
let pool = Buffer.alloc(0);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

// Principals' SIDs (accounts, API keys) are wholly random.
const WHOLLY_RANDOM: ReadonlySet<SidPrefix> = new Set(['AC', 'SK']);

/**
 * A new SID. Records' SIDs (executions, steps, timers, effects...) start with the creation time in
 * milliseconds (12 hex digits) and end with 80 random bits, as ULIDs and UUIDv7 do: every index on a
 * SID, or on a column holding one, then grows at its right edge instead of at a random page, which
 * keeps the pages each commit dirties few (a several-fold cut in write volume, see README
 * Benchmarks). They still look like Twilio's: a prefix and 32 hex digits.
 */
export function newSid(prefix: SidPrefix, now: number = Date.now()): string {
  if (WHOLLY_RANDOM.has(prefix)) return prefix + randomHex(16);
  return prefix + now.toString(16).padStart(12, '0').slice(-12) + randomHex(10);
}
/** A wholly random SID with any two-letter prefix (resources of simulated Twilio APIs). */
export function randomSid(prefix: string): string {
  return prefix + randomHex(16);
}

export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
