// Send & Wait For Reply's `timeout`, read the same way by the validator (literals) and the engine
// (after Liquid): a whole number of seconds from 1 to REPLY_TIMEOUT_MAX_SECONDS.

/** Studio's default wait (the engine's is `--default-reply-timeout`, this unless configured). */
export const STUDIO_REPLY_TIMEOUT_SECONDS = 3600;

/**
 * A sanity bound (10 years), not Studio's: a timer longer than the execution's lifetime (30 days in
 * Studio, `--execution-max-age` here, which operators may raise) is harmless, the execution just
 * expires first; beyond this the value is taken for a mistake.
 */
export const REPLY_TIMEOUT_MAX_SECONDS = 10 * 365 * 24 * 3600;

/** The seconds `text` (already trimmed) stands for, or null when it is not a usable timeout. */
export function replyTimeoutSeconds(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const seconds = Number(text);
  return seconds >= 1 && seconds <= REPLY_TIMEOUT_MAX_SECONDS ? seconds : null;
}

export const REPLY_TIMEOUT_RULE = `a whole number of seconds from 1 to ${REPLY_TIMEOUT_MAX_SECONDS}`;
