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

/**
 * The alert of an inbound message or call the account's inbound execution rate refused (429/20429),
 * as Twilio's Debugger shows it ("your Flow will generate a 429 Too Many Requests error in the
 * Twilio Debugger"). It belongs to no execution (none was started): it names the flow as its
 * resource (the execution column holds the flow's SID) and is written with Store.addAlerts.
 */
export function rateLimitedAlert(accountSid: string, flowSid: string, what: 'message' | 'call', ratePerSecond: number, now: number): AlertRecord {
  const message = `Too many requests: the account's inbound execution rate (${ratePerSecond}/s) was exceeded; the ${what} was not run`;
  return {
    sid: newSid('NO'),
    accountSid,
    flowSid,
    executionSid: flowSid,
    logLevel: 'error',
    errorCode: 20429,
    text: new URLSearchParams({ Msg: message, ErrorCode: '20429', LogLevel: 'ERROR', flowSid }).toString(),
    dateCreated: now,
  };
}
