// A server with two published flows (Survey, Other) and a working directory they were pulled into with
// `switchboard flows pull`: the set-up of the flows-as-code tests that edit files and server flows against each other.
import { after, before } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './server.ts';
import { runCliInProcess, type CliRun } from './cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const surveyFile = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));
export const survey = (): FlowDefinition => JSON.parse(readFileSync(surveyFile, 'utf8'));
/** The survey with another description: a change anyone could make, on the server or in a file. */
export const described = (description: string): FlowDefinition => ({ ...survey(), description });

export interface PulledFlows {
  readonly s: TestServer;
  /** The working directory (the flows are in its `flows/`), made anew by fresh(). */
  readonly work: string;
  readonly surveySid: string;
  readonly otherSid: string;
  dir(): string;
  read(file: string): string;
  /** Writes the survey with `description` as `file`: a local edit. */
  write(file: string, description: string): void;
  manifest(): Record<string, { friendlyName: string; sid: string; synced?: string }>;
  /** Runs `switchboard flows …` in the working directory against the server (the account's credentials unless given). */
  flows(args: string[], credentials?: { sid: string; token: string }): Promise<CliRun>;
  /** A change made on the server (the console, the API): the flow saved with `description`. */
  serverChanges(sid: string, description: string, status?: 'draft' | 'published'): Promise<void>;
  /** A new working directory with both flows pulled as the server has them ("server 0"). */
  fresh(): Promise<void>;
}

/** Registers the suite's before/after hooks (call it inside a describe) and returns its set-up. */
export function pulledFlows(prefix: string): PulledFlows {
  let s: TestServer;
  let work = '';
  let surveySid = '';
  let otherSid = '';
  before(async () => {
    s = await startTestServer({ listen: true });
    surveySid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Survey', status: 'published', definition: survey() })).sid;
    otherSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Other', status: 'published', definition: survey() })).sid;
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const pulled: PulledFlows = {
    get s() {
      return s;
    },
    get work() {
      return work;
    },
    get surveySid() {
      return surveySid;
    },
    get otherSid() {
      return otherSid;
    },
    dir: () => join(work, 'flows'),
    read: (file) => readFileSync(join(pulled.dir(), file), 'utf8'),
    write: (file, description) => writeFileSync(join(pulled.dir(), file), JSON.stringify(described(description), null, 2) + '\n'),
    manifest: () => JSON.parse(pulled.read('flows.manifest.json')).flows,
    flows: (args, credentials = { sid: s.account.sid, token: s.account.authToken }) =>
      runCliInProcess(flowsCommand, [...args, '--base-url', s.baseUrl, '--account-sid', credentials.sid, '--auth-token', credentials.token], work),
    serverChanges: async (sid, description, status = 'published') =>
      void (await s.app.flows.update(s.account.sid, sid, { status, definition: described(description), commitMessage: `console: ${description}` })),
    fresh: async () => {
      if (work) rmSync(work, { recursive: true, force: true });
      work = mkdtempSync(join(tmpdir(), prefix));
      await pulled.serverChanges(surveySid, 'server 0');
      await pulled.serverChanges(otherSid, 'server 0');
      const pull = await pulled.flows(['pull']);
      assert.equal(pull.code, 0, pull.stderr);
    },
  };
  return pulled;
}

/** Whether git can be run here (the tests of git-backed behaviour skip without it). */
export function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
