// Writes the engine's TwiML (data) as XML with the `twilio` package's VoiceResponse builder, which
// escapes text and attributes. Callback nodes get the execution's callback URL: the action URL in
// the named attribute, or the text of a <Redirect>.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { TwimlNode } from '../../engine/types.ts';
import { sayContent, type SsmlContent } from './ssml.ts';

/** The URLs a rendered document points back into the execution with. */
export interface CallbackUrls {
  /** The verb's action / the Redirect after a message. */
  action: string;
  /** Reached when the verb before it ended without calling its action (no input, no audio). */
  fallthrough: string;
}

interface Builder {
  addChild(tagName: string, attributes: object): Builder;
  addText(content: string): void;
}

/**
 * Characters XML 1.0 cannot hold (C0 controls but tab, CR and LF; U+FFFE/U+FFFF; unpaired surrogates).
 * The builder throws on them, and they arrive from outside (a caller's name, an SMS body, an HTTP
 * response rendered into a Say): they are dropped, so the caller still hears the rest.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

function attributesOf(node: TwimlNode, urls: CallbackUrls | null): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(node.attributes ?? {})) attributes[name] = xmlSafe(String(value));
  if (node.callback?.attribute && urls) attributes[node.callback.attribute] = node.callback.fallthrough ? urls.fallthrough : urls.action;
  return attributes;
}

function append(parent: Builder, node: TwimlNode, urls: CallbackUrls | null): void {
  const element = parent.addChild(node.verb, attributesOf(node, urls));
  let text = node.text;
  if (node.callback && !node.callback.attribute && urls) text = node.callback.fallthrough ? urls.fallthrough : urls.action;
  // A Say's text may carry SSML and XML's character references (./ssml.ts); other verbs' text is plain.
  if (node.verb === 'Say' && text !== undefined) appendSsml(element, sayContent(xmlSafe(text)));
  else if (text !== undefined) element.addText(xmlSafe(text));
  for (const child of node.children ?? []) append(element, child, urls);
}

function appendSsml(parent: Builder, content: SsmlContent[]): void {
  for (const item of content) {
    if ('text' in item) parent.addText(item.text);
    else appendSsml(parent.addChild(item.element, item.attributes), item.children);
  }
}

/** A complete TwiML document for `nodes`. `urls` is null when nothing calls back (a hangup). */
export function renderTwiml(nodes: TwimlNode[], urls: CallbackUrls | null): string {
  const response = new VoiceResponse();
  for (const node of nodes) append(response as unknown as Builder, node, urls);
  return response.toString();
}

/** What the caller gets when the execution has ended (or never started): the call is hung up. */
export function hangupTwiml(message?: string): string {
  const response = new VoiceResponse();
  if (message) response.say(xmlSafe(message));
  response.hangup();
  return response.toString();
}

/** While the execution is busy (an HTTP request, a Function): hold the line, then ask again. */
export function holdTwiml(continueUrl: string, seconds = 1): string {
  const response = new VoiceResponse();
  response.pause({ length: seconds });
  response.redirect({ method: 'POST' }, continueUrl);
  return response.toString();
}

/** An empty answer (status callbacks). */
export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
