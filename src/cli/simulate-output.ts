// What `simulate` prints, as it happens: the flow's messages, to the contact or anyone else (the
// simulator reports each one as it is recorded, so none is skipped, whenever it is sent: a reply
// timeout's message comes with no input)
// and the steps of the executions the contact's texts started or reached, then a line when one ends.
// Printed in rounds (after each text, and a few times a second meanwhile), messages before steps.
// It also knows where the contact's next text goes: once the flow writes to them in a conversation
// (Start Conversation) from another address, the proxy number of their binding (or the conversation),
// replies go there, as the contact's phone would send them, until that execution ends.
import type { App } from '../app.ts';
import type { TranscriptEntry } from '../channels/simulator/simulator-channel.ts';
import { printNewSteps } from './flow-file.ts';

/** How often the terminal is brought up to date while nobody types. */
export const PRINT_EVERY_MS = 200;

/**
 * A message of the flow's as a line: marked with its recipient when it is not the texting contact, or
 * with its sender when it is not the flow's address (a conversation's proxy number); media URLs after it.
 */
export function messageLine(entry: Pick<TranscriptEntry, 'from' | 'to' | 'body' | 'mediaUrl'>, contact: string, flowAddress: string): string {
  const parts = ['  ←'];
  if (entry.to !== contact) parts.push(`[to ${entry.to}]`);
  else if (entry.from !== flowAddress) parts.push(`[from ${entry.from}]`);
  // A body of several lines keeps them under its first, clear of the steps and of the next message.
  if (entry.body !== '') parts.push(entry.body.replace(/\n/g, '\n    '));
  if (entry.mediaUrl.length > 0) parts.push(`[media: ${entry.mediaUrl.join(' ')}]`);
  return parts.join(' ');
}

export class SimulationOutput {
  readonly #app: App;
  readonly #accountSid: string;
  readonly #flowSid: string;
  readonly #contact: string;
  readonly #flowAddress: string;
  /** Messages, and notes about where replies go, to print next round. */
  readonly #pending: (TranscriptEntry | string)[] = [];
  readonly #seenMessages = new Set<string>();
  readonly #shownSteps = new Set<string>();
  /** Executions followed until they end. */
  readonly #executions = new Set<string>();
  /** The conversation address the contact is being written from, and the execution writing. */
  #conversation: { address: string; executionSid: string } | null = null;
  #round: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;
  readonly #ticker: NodeJS.Timeout;

  constructor(app: App, accountSid: string, flowSid: string, parties: { contact: string; flowAddress: string }) {
    this.#app = app;
    this.#accountSid = accountSid;
    this.#flowSid = flowSid;
    this.#contact = parties.contact;
    this.#flowAddress = parties.flowAddress;
    this.#unsubscribe = app.simulator.onMessage((entry) => this.#message(entry));
    this.#ticker = setInterval(() => void this.print(), PRINT_EVERY_MS);
  }

  /** Follows an execution a text started or reached: its steps are printed until it ends. */
  follow(executionSid: string | null): void {
    if (executionSid) this.#executions.add(executionSid);
  }

  /** Where the contact's next text goes: the conversation the flow writes to them in, else the flow's address. */
  get replyAddress(): string {
    return this.#conversation?.address ?? this.#flowAddress;
  }

  /** Prints what is new (one round at a time); resolves once it is printed. */
  print(): Promise<void> {
    this.#round = this.#round.then(() => this.#print()).catch((error: unknown) => console.error(`switchboard simulate: ${(error as Error).message}`));
    return this.#round;
  }

  /** A last round, then no more. */
  async close(): Promise<void> {
    clearInterval(this.#ticker);
    this.#unsubscribe();
    await this.print();
  }

  #message(entry: TranscriptEntry): void {
    if (entry.flowSid !== this.#flowSid || this.#seenMessages.has(entry.sid)) return;
    this.#seenMessages.add(entry.sid);
    if (entry.direction === 'inbound') return; // what the contact typed
    this.#pending.push(entry);
    this.follow(entry.executionSid);
    const fromConversation =
      entry.to === this.#contact &&
      entry.from !== this.#flowAddress &&
      entry.executionSid !== null &&
      this.#app.simulator.conversationFor(this.#accountSid, this.#flowSid, this.#contact, entry.from) !== null;
    if (fromConversation && entry.from !== this.#conversation?.address) {
      this.#conversation = { address: entry.from, executionSid: entry.executionSid! };
      this.#pending.push(`    (in a conversation: replies now go to ${entry.from})`);
    }
  }

  async #print(): Promise<void> {
    for (const entry of this.#pending.splice(0)) console.log(typeof entry === 'string' ? entry : messageLine(entry, this.#contact, this.#flowAddress));
    for (const sid of [...this.#executions]) {
      // Read first: an execution's last steps are written with its end, so none is missed after it.
      const execution = await this.#app.store.getExecutionBySid(sid);
      await printNewSteps(this.#app, this.#accountSid, this.#flowSid, sid, this.#shownSteps);
      if (execution?.status === 'active') continue;
      this.#executions.delete(sid);
      if (execution) console.log(`    (execution ${sid} ended)`);
      if (this.#conversation?.executionSid === sid) {
        this.#conversation = null;
        console.log(`    (replies go to ${this.#flowAddress} again)`);
      }
    }
  }
}
