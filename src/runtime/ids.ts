// SIDs are a two-letter prefix plus 32 lower-case hex characters.
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'AC' | 'SK' | 'FW' | 'FN' | 'FT' | 'FC' | 'RQ' | 'SM' | 'CA' | 'US';

export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(prefix: SidPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
