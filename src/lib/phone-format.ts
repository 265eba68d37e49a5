// Phone numbers written for people, as the E.164 they stand for: how executions know a contact.

/**
 * A phone number written for people (`+1 (555) 123-0043`, `+44 20 7946 0958`, `+1.555.123.0043`) as
 * the E.164 it stands for. Replies and calls come from the contact's E.164 address, so a REST
 * execution kept under the formatted text would never be found by them (a second execution started
 * while the first waited out its timeout). Only a leading '+' with digits and the usual separators
 * is rewritten; any other identifier is kept as given.
 */
export function withoutPhoneFormatting(address: string): string {
  if (!/^\+[\d\s().-]+$/.test(address) || !/[\s().-]/.test(address)) return address;
  const digits = address.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : address;
}

/**
 * A flow's test users as read back: each as executions know the contact (trimmed, a formatted phone number
 * as its E.164). New lists are stored so; lists saved by earlier versions as written are read so, without
 * a migration, and duplicates that then name one contact are listed once.
 */
export function testUsersAsContacts(stored: readonly string[]): string[] {
  return [...new Set(stored.map((user) => withoutPhoneFormatting(user.trim())))];
}
