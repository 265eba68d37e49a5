// Helpers for the voice tests: a server with a flow, the simulator phone API and the flow webhook.
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { parseTwiml } from '../../src/channels/simulator/twiml-parse.ts';
import type { Element } from '@xmldom/xmldom';

export const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

export async function serverWithFlow(definition: unknown, options: Parameters<typeof startTestServer>[0] = {}): Promise<{ server: TestServer; flowSid: string }> {
  const server = await startTestServer(options);
  const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'voice test', status: 'published', definition });
  return { server, flowSid: flow.sid };
}

/**
 * A call goes to `r`, a TwiML Redirect to https://app.example/ivr by `method`; handed back (FlowEvent=return),
 * `say` says `text`.
 */
export function redirectAndReturnFlow(method: 'GET' | 'POST', text: string): unknown {
  return {
    description: 'redirect and return',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'r' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'r', type: 'add-twiml-redirect', transitions: [{ event: 'return', next: 'say' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: 'https://app.example/ivr', method, timeout: '600' } },
      { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: text } },
    ],
  };
}

export interface CallView {
  sid: string;
  status: string;
  execution_sid: string | null;
  waiting_for: { kind: string } | null;
  transcript: { who: string; kind: string; text: string }[];
}

export async function phone(server: TestServer, path: string, fields: Record<string, string> = {}, method: 'POST' | 'GET' = 'POST'): Promise<CallView> {
  const res = await server.app.server.inject({ method, url: path, headers: { authorization: server.auth, ...(method === 'POST' ? FORM : {}) }, ...(method === 'POST' ? { payload: form(fields) } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
  return res.json() as CallView;
}

export async function call(server: TestServer, flowSid: string, from = '+15551230001'): Promise<CallView> {
  return phone(server, '/simulator/calls', { FlowSid: flowSid, From: from });
}

/** The execution's steps as `from -event-> to`. */
export async function stepsOf(server: TestServer, flowSid: string, executionSid: string): Promise<string[]> {
  return (await server.app.store.listSteps(server.account.sid, flowSid, executionSid, { pageSize: 100 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
}

export function said(view: CallView): string[] {
  return view.transcript.filter((l) => l.who === 'flow' && (l.kind === 'say' || l.kind === 'play' || l.kind === 'tones')).map((l) => l.text);
}

/** A parsed TwiML element tree as plain data, for deepEqual. */
export interface Verb {
  verb: string;
  attributes: Record<string, string>;
  text?: string;
  children?: Verb[];
}

function toVerb(element: Element): Verb {
  const attributes: Record<string, string> = {};
  for (let i = 0; i < element.attributes.length; i++) {
    const a = element.attributes.item(i)!;
    attributes[a.name] = a.value;
  }
  const children: Verb[] = [];
  let text = '';
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) children.push(toVerb(node as Element));
    else if (node.nodeType === 3) text += node.nodeValue ?? '';
  }
  return { verb: element.tagName, attributes, ...(text.trim() ? { text: text.trim() } : {}), ...(children.length ? { children } : {}) };
}

/** Parses a TwiML document (XML parser, not regexes) into plain data. */
export function verbs(xml: string): Verb[] {
  return parseTwiml(xml).map(toVerb);
}
