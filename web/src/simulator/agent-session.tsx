// The Chat panel's answer to Connect Virtual Agent on the Conversations channel: while a virtual agent has
// the contact's conversation (executions/waiting.ts tells it from the steps and the revision the execution
// ran), what the execution waits for and a small form ending the session as its agent would: a status and,
// optionally, the provider data (JSON text: AgentHandoffParameters for a live-agent handoff, a summary…) and,
// for a failed session, the error the agent reports (VirtualAgentError, VirtualAgentErrorCode), posted as the simulator's VirtualAgent action (POST /simulator/Flows/{FW}/Executions/{FN}/VirtualAgent).
import { useId, useState, type FormEvent } from 'react';
import type { Waiting } from '../executions/waiting.ts';

/** The statuses the VirtualAgent action takes for a session in a conversation, with the form's words. */
export const AGENT_END_CHOICES = [
  { value: 'completed', label: 'is completed' },
  { value: 'live-agent-handoff', label: 'hands off to a live agent' },
  { value: 'failed', label: 'fails' },
] as const;

/** What a failed session's agent reports: an error message and code (each optional). */
export interface AgentError {
  message: string;
  code: string;
}

/**
 * The VirtualAgent action's fields for a status and provider data typed (none when left empty), and for the
 * failed status the error typed (VirtualAgentError, VirtualAgentErrorCode; none when left empty, and never for
 * another status: the form keeps what was typed while another status is chosen).
 */
export function agentEndFields(status: string, providerData: string, error: AgentError = { message: '', code: '' }): Record<string, string> {
  const data = providerData.trim();
  const message = error.message.trim();
  const code = error.code.trim();
  const failed = status === 'failed';
  return {
    VirtualAgentStatus: status,
    ...(data !== '' ? { VirtualAgentProviderData: data } : {}),
    ...(failed && message !== '' ? { VirtualAgentError: message } : {}),
    ...(failed && code !== '' ? { VirtualAgentErrorCode: code } : {}),
  };
}

export function AgentSession({ waiting, busy, onEnd }: { waiting: Waiting; busy: boolean; onEnd: (fields: Record<string, string>) => void }) {
  const [status, setStatus] = useState<string>(AGENT_END_CHOICES[0].value);
  const [data, setData] = useState('');
  const [errorMessage, setErrorMessage] = useState('');
  const [errorCode, setErrorCode] = useState('');
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) onEnd(agentEndFields(status, data, { message: errorMessage, code: errorCode }));
  };
  return (
    <div className="call-outcome stack agent-session">
      <p className="notice notice-info small" role="status" id={hintId}>
        Waiting at <code>{waiting.widget}</code> for {waiting.what}: your texts go to the agent. End its session as the agent would.
      </p>
      <form className="stack" aria-label="Virtual agent session" aria-describedby={hintId} onSubmit={submit}>
        <label className="field inline">
          <span className="field-label">The agent session</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {AGENT_END_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span className="field-label">Provider data (optional)</span>
          <input type="text" value={data} placeholder='{"AgentHandoffParameters": {"queue": "billing"}}' spellCheck={false} onChange={(e) => setData(e.target.value)} />
        </label>
        {status === 'failed' && (
          <>
            <label className="field inline">
              <span className="field-label">Error message (optional)</span>
              <input type="text" value={errorMessage} placeholder="Dialogflow unreachable" onChange={(e) => setErrorMessage(e.target.value)} />
            </label>
            <label className="field inline">
              <span className="field-label">Error code (optional)</span>
              <input
                type="text"
                inputMode="numeric"
                pattern="[0-9]*"
                title="A Twilio error code: digits only"
                value={errorCode}
                placeholder="32601"
                spellCheck={false}
                onChange={(e) => setErrorCode(e.target.value)}
              />
            </label>
          </>
        )}
        <div className="row">
          <button type="submit" className="primary" aria-busy={busy} disabled={busy}>
            End the agent session
          </button>
        </div>
      </form>
    </div>
  );
}
