// The date format of Twilio's JSON resources and Conversations webhooks: ISO 8601 in UTC to the
// second (2026-05-04T18:30:00Z). twilio-python parses nothing else, and Twilio never sends milliseconds.

/** `ms` as 2026-05-04T18:30:00Z (milliseconds dropped). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
