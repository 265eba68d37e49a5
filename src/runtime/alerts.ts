// The engine's diagnostics become alerts, as Twilio's Debugger records Studio warnings and errors:
// alert_text is form-encoded like Twilio's (Msg, ErrorCode, LogLevel, plus the widget), and alerts
// are kept for 30 days as Twilio keeps them.
import type { Diagnostic } from '../engine/types.ts';
import { newSid } from './ids.ts';
import type { AlertRecord, ExecutionRecord } from './ports/store.ts';

export const ALERT_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Twilio retries a webhook within minutes; a week of receipts is ample. */
export const RECEIPT_RETENTION_MS = 7 * 24 * 3600 * 1000;

export function alertsFrom(diagnostics: Diagnostic[], execution: ExecutionRecord, now: number): AlertRecord[] {
  return diagnostics.map((diagnostic) => {
    const text = new URLSearchParams({
      Msg: diagnostic.message,
      ErrorCode: String(diagnostic.code),
      LogLevel: diagnostic.level === 'error' ? 'ERROR' : 'WARN',
      ...(diagnostic.widget ? { widget: diagnostic.widget } : {}),
      executionSid: execution.sid,
    }).toString();
    return {
      sid: newSid('NO'),
      accountSid: execution.accountSid,
      flowSid: execution.flowSid,
      executionSid: execution.sid,
      logLevel: diagnostic.level,
      errorCode: diagnostic.code,
      text,
      dateCreated: now,
    };
  });
}
