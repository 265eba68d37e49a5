// A SID given on the command line (an argument, or an option such as --flow), checked before anything is
// opened or sent: a mistyped or cut-short SID, or one of another kind (`executions show FW…`), is bad
// usage (exit 2) named here, not the server's 404 or a lookup in the store that cannot succeed. Every
// command that takes a SID checks it with sidArgument.
import { isSid } from '../runtime/ids.ts';

/** The kinds of SID the commands take, as a message names them. */
const KINDS = {
  AC: 'an account SID',
  SK: 'an API key SID',
  FW: 'a flow SID',
  FN: 'an execution SID',
} as const;

export type ArgumentSidPrefix = keyof typeof KINDS;

/** "an execution SID (FN…)": what a command asks for when the SID is missing. */
export function sidKind(prefix: ArgumentSidPrefix): string {
  return `${KINDS[prefix]} (${prefix}…)`;
}

/**
 * The SID `value` names, its hex lower-cased (Twilio writes SIDs so; an upper-case copy names the same
 * one), or why it is none: `'FNbad' is not an execution SID (FN followed by 32 hex characters)`, or for
 * an option (`option` '--flow'): `--flow must be a flow SID (FW followed by 32 hex characters), got 'FWbad'`.
 */
export function sidArgument(prefix: ArgumentSidPrefix, value: string, option?: string): { sid: string } | { problem: string } {
  if (isSid(prefix, value)) return { sid: prefix + value.slice(2).toLowerCase() };
  const shape = `${prefix} followed by 32 hex characters`;
  return { problem: option ? `${option} must be ${KINDS[prefix]} (${shape}), got '${value}'` : `'${value}' is not ${KINDS[prefix]} (${shape})` };
}
