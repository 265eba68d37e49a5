// The values of a flow webhook's parameters (the POST form, or a GET's query), checked before they
// reach the runtime: shared by the message, Conversations and voice sides of the flow webhook.
import { refuseNul } from '../wire/form.ts';
import { errors } from '../wire/errors.ts';
import { boundedAddress, checkContactAddress } from '../wire/addresses.ts';

/** The parameters that become a contact pair's addresses (stored keys of the one-active-execution index). */
const ADDRESS_PARAMS = new Set(['From', 'To', 'Author', 'ConversationSid']);
/**
 * Those Twilio fills with phone-style addresses, never with a leading space: one is a tool's unencoded
 * `+` (`curl -d From=+1555…`). Author, a Conversations identity anyone may choose, is only bounded.
 */
const CONTACT_PARAMS = new Set(['From', 'To']);

/**
 * The longest SID parameter accepted (MessageSid, CallSid, SmsSid, …), as for I-Twilio-Idempotency-Token.
 * Twilio's SIDs have 34 characters; the bound keeps a MessageSid, the key of an inbound receipt, inside
 * PostgreSQL's 2704-byte limit for an index row (a 10,000-character one was a 500 there).
 */
export const MAX_SID_PARAM_LENGTH = 256;

/**
 * A NUL character (%00) in a message's text is dropped: Twilio delivers a message once, and a 4xx
 * would lose it for one invisible character its sender cannot take back. Anywhere else (addresses,
 * SIDs, which become stored keys) it is refused with a 400 naming the parameter, as the REST API does.
 * An address longer than any Twilio sends (src/api/wire/addresses.ts), or a SID parameter longer than
 * MAX_SID_PARAM_LENGTH, is refused with a 400 too, not dropped: only a tool or a forgery sends one, the
 * 400 says what is wrong, and Twilio does not retry a 4xx (its retries are for connection failures and
 * timeouts, and 5xx only when a URL asks for it).
 * A From or To with a leading space (an unencoded `+`; Twilio never sends one) is refused too.
 */
export function webhookParam(name: string, value: string): string {
  if (name === 'Body') return value.replaceAll('\0', '');
  refuseNul(name, value);
  if (CONTACT_PARAMS.has(name)) return checkContactAddress(name, value);
  if (ADDRESS_PARAMS.has(name)) return boundedAddress(name, value);
  if (name.endsWith('Sid') && value.length > MAX_SID_PARAM_LENGTH) {
    throw errors.invalidParameter(name, `is ${value.length} characters long; a Twilio SID has 34, and at most ${MAX_SID_PARAM_LENGTH} are accepted`);
  }
  return value;
}
