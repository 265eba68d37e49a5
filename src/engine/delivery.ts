// Message delivery reports (status callbacks).

/**
 * Whether a delivery report can change an execution: only a failure can (send-and-wait-for-reply's
 * deliveryFailure); a routine report (queued, sent, delivered, read) never does, so the runtime
 * need not even load the execution for one.
 */
export function isDeliveryFailure(status: string): boolean {
  return status === 'failed' || status === 'undelivered';
}
