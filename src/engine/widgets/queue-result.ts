// Enqueue Call and Send to Flex (voice) share <Enqueue>: its action callback carries QueueResult.
// queue-full → `failedToEnqueue`, system-error / error → `callFailure`, anything else (bridged,
// hangup, leave, redirected) → `callComplete`.
export function queueEvent(result: unknown): 'callComplete' | 'failedToEnqueue' | 'callFailure' {
  if (result === 'queue-full') return 'failedToEnqueue';
  if (result === 'system-error' || result === 'error') return 'callFailure';
  return 'callComplete';
}
