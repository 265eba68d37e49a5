// Addresses as requests give them (To, From, TestUsers): E.164 numbers, whatsapp:+…, client:identity,
// sip: URIs, Conversation and Messaging Service SIDs. Studio does not insist on E.164 (an execution's To
// may be any identifier), so only what is surely a mistake is refused, the same way on every route.
// Length: the REST create has Twilio's own rule (To and From together, 300 bytes: restContactPair);
// every other route bounds each address (MAX_ADDRESS_LENGTH).
import { errors } from './errors.ts';
import { optionalString, requiredString, type Form } from './form.ts';
import { withoutPhoneFormatting } from '../../lib/phone-format.ts';

/**
 * The longest address accepted, in characters (UTF-16 units). Twilio's longest kinds fit well inside:
 * E.164 is at most 16 characters, whatsapp:/messenger: prefixes add ten, a Voice SDK client identity
 * is at most 121 characters after `client:`, SIDs are 34, and SIP URIs in practice stay far below.
 * The bound keeps a contact pair (contact and flow address, up to 3 bytes of UTF-8 per unit: 1.5 KB
 * together) under PostgreSQL's 2704-byte limit for a row of the unique index that holds one active
 * execution per pair; without it, a 2.7 KB To was a 500 on PostgreSQL only (SQLite stored it).
 * Webhooks, the simulator and TestUsers need it; the REST create is held tighter by restContactPair.
 */
export const MAX_ADDRESS_LENGTH = 256;

/** Twilio's bound on a REST-created execution's To and From together, in bytes of UTF-8 (error 81023). */
export const MAX_CONTACT_PAIR_BYTES = 300;

/** An address of any length up to MAX_ADDRESS_LENGTH; `name` is the parameter, for the error. */
export function boundedAddress(name: string, value: string): string {
  if (value.length > MAX_ADDRESS_LENGTH) {
    throw errors.invalidParameter(name, `is ${value.length} characters long; an address (a phone number, whatsapp:+…, client:…, a SIP URI) has at most ${MAX_ADDRESS_LENGTH}`);
  }
  return value;
}

/**
 * An address with leading whitespace is refused. That is almost always a `+` sent unencoded
 * (`curl -d From=+1555…`), which a form decodes as a space; taken as it is, it would name another
 * contact (' 1555…', or '1555…' once trimmed) than the `+1555…` the sender meant. No Twilio address
 * starts with whitespace, so every route that reads one (To, From, Author, TestUsers) refuses it; the
 * hint about the '+' only when that is what it looks like (see sentWithUnencodedPlus).
 */
export function refuseUnencodedPlus(name: string, value: string): string {
  if (sentWithUnencodedPlus(value)) {
    throw errors.invalidParameter(name, `'${value}' starts with a space: a '+' sent unencoded in a form arrives as a space; URL-encode it (%2B, or curl --data-urlencode '${name}=+${value.trim()}')`);
  }
  if (/^\s/.test(value)) throw errors.invalidParameter(name, `'${value}' starts with whitespace, which no address does; send it without (${name}=${value.trim()})`);
  return value;
}

/**
 * Whether `value` is what a number sent with an unencoded '+' becomes: whitespace, then a digit, and
 * no '+' anywhere (` 15551230001`, ` 1 555 123 0001`). Whitespace before `+1555…` or `client:…` is
 * only whitespace.
 */
function sentWithUnencodedPlus(value: string): boolean {
  return /^\s+\d/.test(value) && !value.includes('+');
}

/** A contact address: bounded, and not one with a leading space (see refuseUnencodedPlus). */
export function checkContactAddress(name: string, value: string): string {
  return refuseUnencodedPlus(name, boundedAddress(name, value));
}

/**
 * An address a phone sends from or to in the simulator (its From and To, and the Contact, FlowAddress or
 * To that name them afterwards): checked as checkContactAddress does, and a phone number written for
 * people as its E.164 (withoutPhoneFormatting). Twilio's webhooks always give the E.164, so the simulator
 * does too: `+1 (555) 123-0043` texting is the contact a REST create with that To, a test user written
 * so, and the flow's messages to `{{contact.channel.address}}` know as +15551230043.
 */
export function simulatorAddress(name: string, value: string): string {
  return withoutPhoneFormatting(checkContactAddress(name, value));
}

/** A required address from the simulator's form (see simulatorAddress). */
export function contactAddress(form: Form, name: string): string {
  return simulatorAddress(name, requiredString(form, name));
}

/** An optional address from the simulator's form, checked as contactAddress is. */
export function optionalAddress(form: Form, name: string): string | undefined {
  const value = optionalString(form, name);
  return value === undefined ? undefined : simulatorAddress(name, value);
}

/**
 * To and From of an execution created over REST (v1/v2 Executions, v1 Engagements). Twilio refuses a
 * pair over 300 bytes together with 81023, so that is the rule here in place of the per-address bound
 * (300 bytes also keeps the pair far inside PostgreSQL's index row limit); an unencoded '+' is refused.
 */
export function restContactPair(form: Form): { to: string; from: string } {
  const to = requiredString(form, 'To');
  const from = requiredString(form, 'From');
  const bytes = Buffer.byteLength(to) + Buffer.byteLength(from);
  if (bytes > MAX_CONTACT_PAIR_BYTES) throw errors.contactPairTooLong(bytes, MAX_CONTACT_PAIR_BYTES);
  return { to: withoutPhoneFormatting(refuseUnencodedPlus('To', to)), from: withoutPhoneFormatting(refuseUnencodedPlus('From', from)) };
}


/**
 * A TestUsers item as it is stored: the contact it names, as the executions it must match know it.
 * Surrounding whitespace goes (a number pasted from a file or a spreadsheet); a phone number written
 * for people is stored as its E.164 (withoutPhoneFormatting), since executions are matched against
 * the contact's address exactly and a REST create, a reply or a call knows the contact by its E.164.
 * Other identifiers (whatsapp:+…, client:…, an e-mail) are kept as given. A '+' sent unencoded is
 * refused (refuseUnencodedPlus): trimmed, it would silently name another contact than +1555…
 */
export function testUserAddress(value: string): string {
  if (sentWithUnencodedPlus(value)) refuseUnencodedPlus('TestUsers', value);
  return withoutPhoneFormatting(boundedAddress('TestUsers', value.trim()));
}
