// How the remote commands word a refused request: the server's message, with a hint only where it adds something.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reportFailure } from '../../src/cli/remote.ts';
import { ApiFailure } from '../../src/flowtest/studio-client.ts';

function reported(error: unknown): { code: number; text: string } {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    return { code: reportFailure('executions show', error), text: lines.join('\n') };
  } finally {
    console.error = original;
  }
}

describe('reportFailure', () => {
  it("a 404 whose message does not say so gets '(not found on this server)'; one that does, nothing more", () => {
    assert.deepEqual(reported(new ApiFailure(404, 'request failed')), { code: 2, text: 'switchboard executions show: request failed (not found on this server)' });
    assert.deepEqual(reported(new ApiFailure(404, 'The requested resource /v2/Flows/FW1 was not found (error 20404)', 20404)), {
      code: 2,
      text: 'switchboard executions show: The requested resource /v2/Flows/FW1 was not found (error 20404)',
    });
  });
  it('a 401 names the credentials to check; an unreachable server exits 3', () => {
    assert.match(reported(new ApiFailure(401, 'Authenticate (error 20003)', 20003)).text, /\(check --account-sid\/--auth-token or the TWILIO_\* variables\)$/);
    assert.equal(reported(new ApiFailure(0, 'connection refused')).code, 3);
  });
});
