// The Chat panel's answer to Connect Virtual Agent on the Conversations channel: while a virtual agent has
// the contact's conversation (executions/waiting.ts tells it from the steps and the revision the execution
// ran), what the execution waits for and a small form ending the session as its agent would: a status and,
// optionally, the provider data (JSON text: AgentHandoffParameters for a live-agent handoff, a summary…),
// posted as the simulator's VirtualAgent action (POST /simulator/Flows/{FW}/Executions/{FN}/VirtualAgent).
import { useId, useState, type FormEvent } from 'react';
import type { Waiting } from '../executions/waiting.ts';

/** The statuses the VirtualAgent action takes for a session in a conversation, with the form's words. */
export const AGENT_END_CHOICES = [
  { value: 'completed', label: 'is completed' },
  { value: 'live-agent-handoff', label: 'hands off to a live agent' },
  { value: 'failed', label: 'fails' },
] as const;

/** The VirtualAgent action's fields for a status and provider data typed (none when left empty). */
export function agentEndFields(status: string, providerData: string): Record<string, string> {
  const data = providerData.trim();
  return { VirtualAgentStatus: status, ...(data !== '' ? { VirtualAgentProviderData: data } : {}) };
}

export function AgentSession({ waiting, busy, onEnd }: { waiting: Waiting; busy: boolean; onEnd: (fields: Record<string, string>) => void }) {
  const [status, setStatus] = useState<string>(AGENT_END_CHOICES[0].value);
  const [data, setData] = useState('');
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) onEnd(agentEndFields(status, data));
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
        <div className="row">
          <button type="submit" className="primary" aria-busy={busy} disabled={busy}>
            End the agent session
          </button>
        </div>
      </form>
    </div>
  );
}
