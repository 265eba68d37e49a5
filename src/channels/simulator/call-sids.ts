// The simulator's CallSids, which say where a call was made.
//
// The phone's calls live in the memory of the process that made them: a restart (or a crash) loses
// them, while their executions, in the store, stay active. Such an execution must not hold its caller's
// line for ever (allow_concurrent_calls off refuses the caller's next call while it is active), but only
// a process that knows the call's maker is gone may say it is lost; in a multi-node deployment another
// node's call is live there. The execution record keeps no channel or node, only the CallSid, so the
// CallSid says it: CA, then in hex
//   check (8)   the first 32 bits of an HMAC-SHA256 of the rest, keyed with the account's simulator-call
//               key (CallService.accountKey: its callback secret and the server's, the same on every node
//               and after a restart, known to nobody outside): a simulator call's, made for this account,
//               not a carrier's (one random CallSid in 4 billion passes) nor a forged one
//   boot (12)   the id of the process that made it: 48 random bits drawn when the process starts
//   sole (1)    1: that process used the store alone (SQLite, which serve opens under its data
//               directory's lock); 0: it shared it (PostgreSQL, or a guest such as `switchboard call`)
//   phone (5)   a random id of the phone, unique in its process (one per app; tests run several)
//   serial (6)  the phone's call counter, from a random start (unique among the phone's calls)
// SimulatorPhone.whereabouts (phone.ts) reads it back. Only a call whose maker is certainly gone is
// judged lost (and its execution ended, CallService #holdsLine): a phone of this process that no longer
// has it, or an earlier process that used the store alone while this one does too (two processes cannot
// both have held the data directory's lock, so the maker no longer runs). Any other process's call may
// be live: it is left alone (but no longer refuses the caller's call on this node: the simulator is per
// node).
// No host name or process id is in it, and nothing is asked of the operating system.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** This process's id in the CallSids its phones make. */
export const BOOT_ID = randomBytes(6).toString('hex');
/** The check's key of a phone told no account keys (tests): its CallSids are known to this process alone. */
export const PROCESS_KEY = randomBytes(32);
const CHECK_LABEL = 'switchboard simulator call\0';
/** The layout of every simulator CallSid, this version's and earlier ones'. */
export const SIMULATOR_SID = /^CA[0-9a-f]{32}$/;

function checkOf(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(CHECK_LABEL + body).digest('hex').slice(0, 8);
}

/** A CallSid of `phone`'s, with its where-made fields, under the account's `key`. */
export function simulatorCallSid(key: Buffer, sole: boolean, phone: string, serial: number): string {
  const body = BOOT_ID + (sole ? '1' : '0') + phone + (serial % 0x1000000).toString(16).padStart(6, '0');
  return 'CA' + checkOf(key, body) + body;
}

export interface SimulatorCallOrigin {
  /** The id of the process that made it. */
  boot: string;
  /** Whether that process used the store alone. */
  sole: boolean;
  phone: string;
  serial: number;
}

/** The where-made fields of a simulator CallSid made under `key`; null for any other SID (a carrier's, a forged one). */
export function simulatorCallOrigin(callSid: string, key: Buffer): SimulatorCallOrigin | null {
  if (!SIMULATOR_SID.test(callSid)) return null;
  const body = callSid.slice(10);
  const check = Buffer.from(callSid.slice(2, 10));
  if (!timingSafeEqual(check, Buffer.from(checkOf(key, body)))) return null;
  if (body[12] !== '0' && body[12] !== '1') return null;
  return { boot: body.slice(0, 12), sole: body[12] === '1', phone: body.slice(13, 18), serial: parseInt(body.slice(18), 16) };
}

/**
 * A CallSid in the layout earlier versions gave simulator calls (a public check, then the maker's host
 * and process): made before this version ran, by a process that cannot be asked. It is judged
 * `elsewhere` (it does not hold its caller's line, and is left active until it expires), never `lost`:
 * its check is public, so a carrier's CallSid may pass it (one in 16 million).
 */
export function isEarlierSimulatorSid(callSid: string): boolean {
  if (!SIMULATOR_SID.test(callSid)) return false;
  const body = callSid.slice(8);
  return createHash('sha256').update('switchboard simulator call ' + body).digest('hex').slice(0, 6) === callSid.slice(2, 8);
}
