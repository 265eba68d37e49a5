// The flow that `simulate` and `call` run: a FlowSid in the configured store, or a flow file, which
// becomes a published flow of an in-memory app. A missing file, broken JSON or an invalid definition
// is reported as lines a user can act on (the validator's findings with their paths), never as a
// stack trace. Also the parties both commands take and the steps both print as they happen.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SIMULATOR_FLOW_ADDRESS } from '../api/routes/simulator.ts';
import { createApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { parseDefinition } from '../definition/parse.ts';
import { DomainError } from '../runtime/errors.ts';
import { isSid } from '../runtime/ids.ts';
import type { Account } from '../runtime/ports/store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

type Flags = Record<string, string | boolean | undefined>;

/**
 * `simulate`'s or `call`'s flow opened (see openFlowTarget) with the contact (--from) and the flow's
 * address (--to). Null when there is nothing to run: the usage or the reasons are already printed.
 */
export async function openSimulation(
  command: 'simulate' | 'call',
  target: string | undefined,
  flags: Flags,
): Promise<{ app: App; account: Account; flowSid: string; from: string; to: string } | null> {
  if (!target) {
    console.error(`usage: switchboard ${command} <FlowSid|flow.json> --from +15551230001 [--to +15005550006]`);
    return null;
  }
  const from = typeof flags.from === 'string' ? flags.from : '+15551230001';
  const to = typeof flags.to === 'string' ? flags.to : SIMULATOR_FLOW_ADDRESS;
  const opened = await openFlowTarget(target, flags);
  return opened && { ...opened, from, to };
}

/** Prints the execution's steps not printed yet (`shown` remembers them). */
export async function printNewSteps(app: App, accountSid: string, flowSid: string, executionSid: string, shown: Set<string>): Promise<void> {
  const steps = await app.store.listSteps(accountSid, flowSid, executionSid, { pageSize: 1000 });
  for (const step of steps.items) {
    if (shown.has(step.sid)) continue;
    shown.add(step.sid);
    console.log(`    · ${step.transitionedFrom} —${step.name}→ ${step.transitionedTo}`);
  }
}

/**
 * The app (to be closed by the caller), its startup account and the flow `target` names. Null when
 * the flow cannot be found or loaded: the reasons are already printed, the app already closed.
 */
export async function openFlowTarget(target: string, flags: Flags): Promise<{ app: App; account: Account; flowSid: string } | null> {
  const config = loadConfig(flags);
  const fromFile = !isSid('FW', target);
  const app = await createApp(config, fromFile ? { store: new SqliteStore({ path: ':memory:' }) } : {});
  try {
    const { account } = await app.accounts.ensureStartupAccount(config.account);
    if (!fromFile) {
      if (await app.store.getFlow(account.sid, target)) return { app, account, flowSid: target };
      console.error(`flow ${target} not found for account ${account.sid}`);
    } else {
      const published = await publishFlowFile(app, account.sid, target);
      if (published.ok) return { app, account, flowSid: published.flowSid };
      for (const problem of published.problems) console.error(problem);
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  await app.close();
  return null;
}

export type FlowFileResult = { ok: true; flowSid: string } | { ok: false; problems: string[] };

export async function publishFlowFile(app: App, accountSid: string, path: string): Promise<FlowFileResult> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a flow file' : (error as Error).message;
    return { ok: false, problems: [`${path}: ${why}`] };
  }
  const parsed = parseDefinition(text);
  if (!parsed.ok) return { ok: false, problems: [`${path}: not a flow definition: ${parsed.error}`] };
  try {
    const friendlyName = basename(path).slice(0, 64);
    const flow = await app.flows.create(accountSid, { friendlyName, status: 'published', definition: parsed.definition });
    return { ok: true, flowSid: flow.sid };
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind !== 'invalid-definition') throw error;
    const issues = (error.details?.errors ?? []) as { property_path: string; message: string }[];
    return {
      ok: false,
      problems: [`${path}: invalid flow definition`, ...issues.map((issue) => `  ${issue.property_path}: ${issue.message}`)],
    };
  }
}
