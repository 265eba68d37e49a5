// The simulator chat: text the flow as a contact, see its replies and the steps each execution
// takes as they happen (server-sent events from /console/api/.../Simulator/Events).
// Also what the flow sends elsewhere (to another number: the POST answer's other_messages), and a
// conversation Start Conversation opened with the contact: its messages (streamed from its address)
// and, while its execution is active, the contact's texts go there (see chat-routing.ts).
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { Execution, Revision, SimulatorMessage } from '../api/types.ts';
import { useApi, useSession } from '../auth/session.tsx';
import { useLiveEvents } from './use-live.ts';
import { LiveSteps } from './live-steps.tsx';
import { useExecutionEnd } from './execution-end.tsx';
import { useFollowLatest } from './follow-latest.ts';
import { flowGoneError, usePanelError } from './panel-error.ts';
import { useAsync } from '../ui/use-async.ts';
import { NotStartedNotice, useClearedOnPublish, type SimulatorPanelProps } from './not-started.tsx';
import { waitingAt } from '../executions/waiting.ts';
import { AgentSession } from './agent-session.tsx';
import { isTestUser as matchesTestUser, withoutPhoneFormatting } from '../../../src/lib/phone-format.ts';
import { SIMULATOR_FLOW_ADDRESS, bubbleText, isWebUrl, latestConversation, mergeMessages, messageMarks, replyRoute, shownExecutionSid } from './chat-routing.ts';

const CONTACT_KEY = 'switchboard.simulator.contact';

type FailureKind = '' | 'send' | 'delivery';

/** A text the composer took, waiting for the one before it to be answered. */
interface Outgoing {
  contact: string;
  body: string;
}

interface SendResult {
  message_sid: string;
  execution_sid: string | null;
  messages: SimulatorMessage[];
  /** What the execution sent outside this transcript during the request (another number, a conversation). */
  other_messages?: SimulatorMessage[];
  /** Said when the text ran a flow whose Trigger takes no messages. */
  notice?: { code: string; message: string };
}

export function ChatPanel({
  flowSid,
  onSteps,
  onPublish,
  ...flow
}: SimulatorPanelProps) {
  const api = useApi();
  const { credentials } = useSession();
  // Sends answered later use the client of the moment (signing in again replaces it).
  const apiRef = useRef(api);
  apiRef.current = api;
  const [contact, setContact] = useState(() => withoutPhoneFormatting(sessionStorage.getItem(CONTACT_KEY) ?? '+15551230001'));
  const [activeContact, setActiveContact] = useState(contact);
  const [body, setBody] = useState('');
  const { error, fail, recovered, clear: clearError, setError } = usePanelError();
  const [sending, setSending] = useState(false);
  // Texts are sent one at a time, in the order they were written: those written while one is out wait here.
  const outbox = useRef<Outgoing[]>([]);
  const draining = useRef(false);
  const composerRef = useRef<HTMLInputElement>(null);
  // What a send that is answered later compares with: the contact now, not when it was sent.
  const activeContactRef = useRef(activeContact);
  activeContactRef.current = activeContact;
  /** Messages from the POST answers and from conversations' streams, kept until the contact changes. */
  const [seen, setSeen] = useState<SimulatorMessage[]>([]);
  /** The last text started no execution (see NotStartedNotice). */
  const [notStarted, setNotStarted] = useState(false);
  /** The last text ran, but the flow's Trigger takes no messages (the server's notice). */
  const [triggerNotice, setTriggerNotice] = useState<string | undefined>(undefined);
  useClearedOnPublish(flow, () => setNotStarted(false));
  const eventsPath = `/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(activeContact)}`;
  const live = useLiveEvents(eventsPath, credentials);
  const transcriptRef = useRef<HTMLOListElement>(null);

  // The POST answers and the streams all report messages; merged by SID, oldest first.
  const messages = useMemo(() => mergeMessages(seen, live.messages), [seen, live.messages]);

  // A conversation the flow writes to the contact in is recorded under its own address (the proxy
  // number): streamed as well, its messages kept when a later conversation replaces the stream.
  const conversation = useMemo(() => latestConversation(messages, activeContact, SIMULATOR_FLOW_ADDRESS), [messages, activeContact]);
  const conversationLive = useLiveEvents(conversation ? `${eventsPath}&FlowAddress=${encodeURIComponent(conversation.address)}` : null, credentials);
  useEffect(() => {
    if (conversationLive.messages.length > 0) setSeen((current) => mergeMessages(current, conversationLive.messages));
  }, [conversationLive.messages]);
  const executions = useMemo(() => new Map<string, Execution>([...conversationLive.executions, ...live.executions]), [live.executions, conversationLive.executions]);
  const route = replyRoute(conversation, executions);
  const routeRef = useRef(route);
  routeRef.current = route;

  const latestExecutionSid = useMemo(() => shownExecutionSid(messages, live.executions, activeContact), [messages, live.executions, activeContact]);
  const latestExecution = latestExecutionSid ? (executions.get(latestExecutionSid) ?? null) : null;
  const latestSteps = useMemo(() => live.steps.filter((s) => s.execution_sid === latestExecutionSid), [live.steps, latestExecutionSid]);
  const end = useExecutionEnd(flowSid, latestExecution, latestSteps);
  // What the active execution waits for, read from its steps and the revision it ran (a test user's draft too):
  // a virtual agent that has the conversation gets a form ending its session.
  const latestActive = latestExecution?.status === 'active';
  const executionRevision = useAsync(
    (signal) => (latestActive && latestExecution ? api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${latestExecution.flow_version}`, signal) : Promise.resolve(null)),
    [api, flowSid, latestActive, latestExecution?.flow_version],
  );
  const waiting = useMemo(
    () => (latestActive ? waitingAt(latestSteps, executionRevision.data?.definition ?? null) : null),
    [latestActive, latestSteps, executionRevision.data],
  );
  const [endingAgent, setEndingAgent] = useState(false);

  useEffect(() => {
    onSteps?.(latestSteps, latestExecution);
  }, [latestSteps, latestExecution, onSteps]);

  useFollowLatest(transcriptRef, messages.length, activeContact);

  // Signing in again (after a refusal) starts afresh: the refused call's "Authenticate" is not news any more.
  useEffect(() => clearError(), [api, clearError]);
  // The stream open again: the server is back, and its being away is not news any more.
  useEffect(() => {
    if (live.connection === 'open') recovered();
  }, [live.connection, recovered]);

  /** Sends one text as its contact; false when it failed. Its answer shows only while that contact is the one chatting. */
  const sendOne = async (text: Outgoing): Promise<boolean> => {
    const current = () => activeContactRef.current === text.contact;
    let posting = false;
    try {
      const to = await replyAddress();
      posting = true;
      const result = await apiRef.current.post<SendResult>(`/simulator/Flows/${flowSid}/Messages`, { From: text.contact, Body: text.body, ...(to ? { To: to } : {}) });
      // Another contact is chatting now: this one's answer is theirs, shown when they are chosen again.
      if (!current()) return true;
      recovered();
      setSeen((seenNow) => mergeMessages(seenNow, result.messages, result.other_messages ?? []));
      setNotStarted(result.execution_sid === null || result.notice !== undefined);
      // A flow never published gets the notice with its ways out (publish, run the draft), not the server's text.
      setTriggerNotice(result.notice?.code === 'trigger-not-wired' ? result.notice.message : undefined);
      return true;
    } catch (caught) {
      // The flow deleted meanwhile (in another tab, over the API): said so, not as the API's "resource not found".
      const flowGone = posting && caught instanceof ApiError && caught.status === 404;
      if (current()) fail(flowGone ? flowGoneError('Not sent') : caught);
      return false;
    }
  };

  /** Sends what waits in the outbox, oldest first; a failure stops it and puts the text back in an empty composer. */
  const drain = async () => {
    if (draining.current) return;
    draining.current = true;
    setSending(true);
    try {
      for (let text = outbox.current.shift(); text; text = outbox.current.shift()) {
        if (await sendOne(text)) continue;
        // The texts after it do not go ahead of it: the failed one goes back to the composer (unless
        // something new is typed there), and the error says how many did not go out with it.
        const later = outbox.current.splice(0).length;
        if (activeContactRef.current === text.contact) {
          setBody((typed) => (typed === '' ? text.body : typed));
          if (later > 0) {
            const notSent = `${later} later ${later === 1 ? 'text was' : 'texts were'} not sent either`;
            setError((shown) => ({ text: `${shown?.text ?? 'Not sent'}; ${notSent}`, passing: shown?.passing ?? false }));
          }
        }
        break;
      }
    } finally {
      draining.current = false;
      setSending(false);
    }
  };

  // The composer is emptied as the text is taken, so what is typed while it is out is the next text.
  // A number typed in "Text as" and not yet taken with Use is taken now: the text goes from the number shown.
  const send = (event: FormEvent) => {
    event.preventDefault();
    const typed = withoutPhoneFormatting(contact.trim());
    const from = typed && typed !== activeContact ? chooseContact(typed) : activeContact;
    // "Text as" emptied: the text goes from the contact texting, shown there again (the field stayed empty).
    if (!typed) setContact(activeContact);
    outbox.current.push({ contact: from, body });
    setBody('');
    clearError();
    composerRef.current?.focus();
    void drain();
  };

  /**
   * The conversation's address while its execution is active, checked first as `simulate` does (the
   * stream says so a moment late): a text there after the execution ended would start another one.
   */
  const replyAddress = async (): Promise<string | undefined> => {
    const route = routeRef.current;
    if (!route) return undefined;
    const execution = await apiRef.current.get<Execution>(`/v2/Flows/${flowSid}/Executions/${route.executionSid}`);
    return execution.status === 'active' ? route.address : undefined;
  };

  const switchContact = (event: FormEvent) => {
    event.preventDefault();
    const next = contact.trim();
    if (next) chooseContact(next);
  };

  /**
   * Makes `next` the contact texting (and returns it): a number typed with separators as its E.164, the
   * contact the server knows (its texts come from it, test users and executions name it so), shown so.
   */
  const chooseContact = (typed: string): string => {
    const next = withoutPhoneFormatting(typed);
    setContact(next);
    sessionStorage.setItem(CONTACT_KEY, next);
    // Texts written as the previous contact and not sent yet are not sent as anyone.
    outbox.current = [];
    activeContactRef.current = next;
    setSeen([]);
    setNotStarted(false);
    clearError();
    setActiveContact(next);
    return next;
  };

  // Test users run the flow's latest revision (drafts included) instead of the published one, as in Studio.
  const testUsers = useAsync((signal) => api.get<{ test_users: string[] }>(`/v2/Flows/${flowSid}/TestUsers`, signal), [flowSid]);
  // As the server matches them: the same number on another phone channel (whatsapp:+1555… for +1555…) counts.
  const isTestUser = testUsers.data ? matchesTestUser(testUsers.data.test_users, activeContact) : false;
  const toggleTestUser = async (on: boolean) => {
    const current = testUsers.data?.test_users ?? [];
    const next = on ? [...new Set([...current, activeContact])] : current.filter((u) => !matchesTestUser([u], activeContact));
    // Shown at once; the server's answer confirms it (or the old list comes back on failure).
    testUsers.set({ test_users: next });
    try {
      // An empty list cannot be sent as a form; clearing sends one empty value, which the API drops.
      testUsers.set(await api.post<{ test_users: string[] }>(`/v2/Flows/${flowSid}/TestUsers`, { TestUsers: next.length ? next : [''] }));
      recovered();
    } catch (caught) {
      testUsers.set({ test_users: current });
      fail(caught);
    }
  };

  // The simulator can make the flow's next message to this contact fail, to exercise failed/deliveryFailure
  // branches. What is armed is the server's, per contact: read back when the contact changes (a reload
  // too) and once the flow has written to them (which uses it up).
  const [armed, setArmed] = useState<{ contact: string; kind: FailureKind }>({ contact: activeContact, kind: '' });
  // Only the latest read or choice sets it: an earlier read answered late would undo a choice.
  const armedGeneration = useRef(0);
  const readArmed = useCallback(
    async (who: string) => {
      const generation = ++armedGeneration.current;
      try {
        const state = await api.get<{ kind: 'send' | 'delivery' | null }>(`/simulator/Failures?To=${encodeURIComponent(who)}`);
        recovered();
        if (generation === armedGeneration.current && activeContactRef.current === who) setArmed({ contact: who, kind: state.kind ?? '' });
      } catch {
        // Kept as shown; the next read (or choice) sets it right.
      }
    },
    [api, recovered],
  );
  // Each message the flow sends the contact may have used up what was armed: read again.
  const toContact = useMemo(() => messages.filter((m) => m.direction !== 'inbound' && m.to === activeContact).length, [messages, activeContact]);
  useEffect(() => {
    void readArmed(activeContact);
  }, [activeContact, readArmed, toContact]);
  const armFailure = async (kind: FailureKind) => {
    const who = activeContact;
    const generation = ++armedGeneration.current;
    setArmed({ contact: who, kind });
    try {
      const state = await api.post<{ kind: 'send' | 'delivery' | null }>('/simulator/Failures', { To: who, Kind: kind || 'none' });
      if (generation === armedGeneration.current && activeContactRef.current === who) setArmed({ contact: who, kind: state.kind ?? '' });
    } catch (caught) {
      fail(caught);
      void readArmed(who);
    }
  };

  /** Ends the virtual agent's session in the conversation as the agent would; the flow goes on by its status. */
  const endAgentSession = async (fields: Record<string, string>) => {
    if (!latestExecution) return;
    const who = activeContact;
    setEndingAgent(true);
    clearError();
    try {
      const result = await api.post<{ messages: SimulatorMessage[] }>(`/simulator/Flows/${flowSid}/Executions/${latestExecution.sid}/VirtualAgent`, fields);
      recovered();
      if (activeContactRef.current === who) setSeen((seenNow) => mergeMessages(seenNow, result.messages));
    } catch (caught) {
      fail(caught);
    } finally {
      setEndingAgent(false);
    }
  };

  const endExecution = async () => {
    if (!latestExecution) return;
    try {
      await api.post(`/v2/Flows/${flowSid}/Executions/${latestExecution.sid}`, { Status: 'ended' });
    } catch (caught) {
      fail(caught);
    }
  };

  return (
    <section className="chat-panel" aria-labelledby="chat-title">
      <header className="panel-header">
        <h2 id="chat-title">Chat</h2>
        <span className={`connection connection-${live.connection}`} role="status">
          {live.connection === 'open' ? 'live' : live.connection}
        </span>
      </header>
      <form className="contact-form" onSubmit={switchContact}>
        <label className="field inline">
          <span className="field-label">Text as</span>
          <input name="contact" value={contact} onChange={(e) => setContact(e.target.value)} aria-describedby="contact-help" />
        </label>
        <button type="submit" disabled={!contact.trim() || withoutPhoneFormatting(contact.trim()) === activeContact}>
          Use
        </button>
      </form>
      <label className="checkbox small">
        <input type="checkbox" checked={isTestUser} disabled={!testUsers.data} onChange={(e) => void toggleTestUser(e.target.checked)} />
        Run the latest draft for this contact (test user)
      </label>
      <p id="contact-help" className="muted small">
        {isTestUser ? 'Messages run the latest revision, drafts included.' : "Messages run the flow's published revision."}
      </p>
      <ol className="transcript" ref={transcriptRef} aria-label="Conversation" aria-live="polite">
        {messages.length === 0 &&
          (latestExecution?.status === 'active' ? (
            <li className="muted small empty">
              This contact's execution is still active: your next text continues it. (Its earlier messages are not shown: the server keeps
              them only while it runs.)
            </li>
          ) : (
            <li className="muted small empty">Send a message to start an execution.</li>
          ))}
        {messages.map((m) => (
          <MessageBubble key={m.sid} message={m} contact={activeContact} />
        ))}
      </ol>
      {route && (
        <p className="notice notice-info small conversation-route" role="status">
          In a conversation: your texts go to {route.address}, as replies from your phone would, until its execution ends.
        </p>
      )}
      <form className="composer" onSubmit={send}>
        <label className="visually-hidden" htmlFor="chat-body">
          Message
        </label>
        <input
          id="chat-body"
          ref={composerRef}
          name="body"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          placeholder={route ? 'Reply in the conversation…' : 'Type a message…'}
          autoComplete="off"
        />
        {/* Never disabled: a text sent while another is out waits its turn (and a disabled button would drop the focus). */}
        <button type="submit" className="primary" aria-busy={sending}>
          Send
        </button>
      </form>
      {waiting?.agentInConversation && <AgentSession key={latestExecution?.sid} waiting={waiting} busy={endingAgent} onEnd={(fields) => void endAgentSession(fields)} />}
      <label className="field inline small">
        <span className="field-label">The flow's next message</span>
        <select value={armed.contact === activeContact ? armed.kind : ''} onChange={(e) => void armFailure(e.target.value as FailureKind)}>
          <option value="">is delivered</option>
          <option value="send">fails to send</option>
          <option value="delivery">is not delivered</option>
        </select>
      </label>
      {notStarted && (
        <NotStartedNotice
          flowSid={flowSid}
          contact={activeContact}
          what="text"
          triggerNotice={triggerNotice}
          onPublish={
            onPublish &&
            (async () => {
              await onPublish();
              setNotStarted(false);
            })
          }
          onRunDraft={async () => {
            await toggleTestUser(true);
            setNotStarted(false);
          }}
        />
      )}
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <LiveSteps id="steps-title" flowSid={flowSid} execution={latestExecution} steps={latestSteps} label="Steps of the latest execution" end={end} onEnd={endExecution} />
    </section>
  );
}

/** A message: its text, its media as links, and who it went to when that is not the contact and the flow. */
function MessageBubble({ message: m, contact }: { message: SimulatorMessage; contact: string }) {
  const marks = messageMarks(m, contact, SIMULATOR_FLOW_ADDRESS);
  const mark = marks.to ? `to ${marks.to}` : marks.from ? `from ${marks.from}` : null;
  const text = bubbleText(m);
  return (
    <li className={`bubble ${m.direction === 'inbound' ? 'bubble-contact' : 'bubble-flow'}${marks.to && m.direction !== 'inbound' ? ' bubble-elsewhere' : ''}`} data-direction={m.direction}>
      {mark && <span className="bubble-mark">{mark}</span>}
      {text && (
        <span className="bubble-body">
          {text.kind === 'body' ? (
            text.text
          ) : text.kind === 'template' ? (
            <>
              <em>Content template</em> <code>{text.text}</code>
            </>
          ) : (
            <em>(empty)</em>
          )}
        </span>
      )}
      {m.media_url.length > 0 && (
        <ul className="bubble-media" aria-label="Media">
          {m.media_url.map((url, i) => (
            <li key={i}>
              {isWebUrl(url) ? (
                <a href={url} target="_blank" rel="noreferrer">
                  {url}
                </a>
              ) : (
                url
              )}
            </li>
          ))}
        </ul>
      )}
      <span className="bubble-meta">
        {m.direction === 'inbound' ? 'you' : 'flow'} · {m.status}
      </span>
    </li>
  );
}
