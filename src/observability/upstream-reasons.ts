// The `reason` label of switchboard_upstream_errors_total. Every label value is a series Prometheus
// keeps; reasons come partly from outside (the `code` a Twilio API answer or a webhook endpoint puts in
// its JSON), so a label taken as it is would grow with whatever those send. Reasons are kept to a fixed
// list and anything else is `other`; the log line and span keep the reason as it was.

/** How an HTTP widget's request failed (EffectResult http-failed), a 4xx/5xx answer, or a thrown effect. */
const REASONS = new Set(['timeout', 'network', 'blocked', 'too-large', 'http_4xx', 'http_5xx', 'exception']);

/**
 * Error codes of failed sends, conversations and tasks (`error_<code>`): those Switchboard's channels
 * answer themselves, and the refusals Twilio's Messages API is most often seen to give (20003 auth,
 * 21408 region not enabled, 21606/21660 a From the account cannot use, 21612 cannot route, 21614 not a
 * mobile number, 21617 body too long, 30007 carrier filtering).
 */
const ERROR_CODES = new Set([
  20001, 20003, 20404, 20429, 20500, 21201, 21205, 21211, 21213, 21220, 21408, 21606, 21610, 21612, 21614, 21617, 21660, 30003, 30007, 30008, 50000, 50050, 81011,
]);

/** `reason` as a label value from the fixed list, or `other`. */
export function upstreamReasonLabel(reason: string): string {
  if (REASONS.has(reason)) return reason;
  const code = /^error_(\d{5})$/.exec(reason)?.[1];
  return code !== undefined && ERROR_CODES.has(Number(code)) ? reason : 'other';
}
