// Phone numbers written for people, as the E.164 they stand for: how executions know a contact.

/**
 * A phone number written for people (`+1 (555) 123-0043`, `+44 20 7946 0958`, `+1.555.123.0043`) as
 * the E.164 it stands for. Replies and calls come from the contact's E.164 address, so a REST
 * execution kept under the formatted text would never be found by them (a second execution started
 * while the first waited out its timeout). Only a leading '+' with digits and the usual separators
 * is rewritten; any other identifier is kept as given. A trunk prefix written in parentheses after the
 * country code (`+44 (0)20 7946 0958`, as numbers are written across Europe) is the digit dialled only
 * from inside the country, so it is not part of the E.164 (+442079460958); except where the 0 belongs to
 * the number (ZERO_IN_NUMBER: `+39 (0)6 …` is +3906…). The number of a phone-number
 * channel (`whatsapp:+1 555 123 0043`, `rcs:…`) is rewritten the same way, its prefix kept as written:
 * WhatsApp and RCS replies come from `whatsapp:` and the E.164.
 */
export function withoutPhoneFormatting(address: string): string {
  const channel = PHONE_CHANNEL.exec(address);
  if (channel) return channel[0] + withoutPhoneFormatting(address.slice(channel[0].length));
  if (!/^\+[\d\s().-]+$/.test(address) || !/[\s().-]/.test(address)) return address;
  const digits = address.replace(TRUNK_PREFIX, (group: string, code: string) => (ZERO_IN_NUMBER.has(code.slice(1)) ? group : code)).replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : address;
}

/** The channels whose address is `<channel>:` and a phone number (messenger:, client: take identifiers). */
const PHONE_CHANNEL = /^(?:whatsapp|rcs):(?=\+)/i;
/** `(0)` right after the country code: the trunk prefix, dialled only inside the country. */
const TRUNK_PREFIX = /^(\+\d{1,3})[\s.-]*\(0\)/;
/**
 * Country codes whose numbers themselves start with 0 (Italy, San Marino, the Vatican, Benin, Côte d'Ivoire,
 * Gabon, Congo): there a written `(0)` is a digit of the number, kept as libphonenumber keeps it.
 */
const ZERO_IN_NUMBER = new Set(['39', '378', '379', '229', '225', '241', '242']);

/**
 * A flow's test users as read back: each as executions know the contact (trimmed, a formatted phone number
 * as its E.164). New lists are stored so; lists saved by earlier versions as written are read so, without
 * a migration, and duplicates that then name one contact are listed once.
 */
export function testUsersAsContacts(stored: readonly string[]): string[] {
  return [...new Set(stored.map((user) => withoutPhoneFormatting(user.trim())))];
}

/**
 * Whether `contact` (an execution's contact address) is one of a flow's test users, who run its latest
 * revision. The same address, or the same phone number: a phone-number channel's prefix (`whatsapp:`,
 * `rcs:`; not `messenger:` or `client:`, whose identifiers are no numbers) and any formatting set aside on
 * either side, so the test user +15551234567 matches the contact `whatsapp:+15551234567` and `+1 555 123
 * 4567`, and the test user `whatsapp:+15551234567` matches the contact +15551234567. Studio's own rule is
 * unconfirmed; this takes both readings.
 */
export function isTestUser(testUsers: readonly string[], contact: string): boolean {
  if (testUsers.length === 0) return false; // most flows: no number to work out on every new execution
  if (testUsers.includes(contact)) return true;
  const number = phoneNumberOf(contact);
  return number !== null && testUsers.some((user) => phoneNumberOf(user) === number);
}

/** The E.164 number an address stands for (a phone-number channel's prefix dropped), or null for any other. */
function phoneNumberOf(address: string): string | null {
  const trimmed = address.trim();
  const channel = PHONE_CHANNEL.exec(trimmed);
  const number = withoutPhoneFormatting(channel ? trimmed.slice(channel[0].length) : trimmed);
  return /^\+\d{7,15}$/.test(number) ? number : null;
}
