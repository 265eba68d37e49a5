// The flow that `simulate` and `call` run: a FlowSid in the configured store, or a flow file, which
// becomes a published flow of an in-memory app. A missing file, broken JSON or an invalid definition
// is reported as lines a user can act on (the validator's findings with their paths), never as a
// stack trace. Also the parties both commands take and the steps both print as they happen, with the
// reason under each failure transition (`post —failed→ bye` alone says nothing of why).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { SIMULATOR_FLOW_ADDRESS } from '../channels/simulator/simulator-channel.ts';
import { withoutPhoneFormatting } from '../lib/phone-format.ts';
import { createApp, type App } from '../app.ts';
import { guestStore } from './guest-store.ts';
import { readFlowFile } from './unreadable-file.ts';
import { readVarsFile } from './vars-file.ts';
import { substituteTemplateVars } from '../definition/template-vars.ts';
import { missingStore, openCliStore, reportSchemaRefusal } from './cli-store.ts';
import { loadConfig } from '../config.ts';
import { DomainError } from '../runtime/errors.ts';
import { isSid } from '../runtime/ids.ts';
import { sidArgument } from './sid-argument.ts';
import { FAILURE_STEP_NAMES, effectFailure, failureReason } from '../flowtest/failure-reason.ts';
import type { JsonObject } from '../engine/types.ts';
import { NO_OBSERVER, type RuntimeObserver } from '../runtime/ports/observer.ts';
import type { Account, FlowRecord, StepRecord, Store } from '../runtime/ports/store.ts';
import { revisionFor } from '../channels/simulator/texting.ts';
import { runnable } from '../runtime/sprints.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

type Flags = Record<string, string | boolean | undefined>;

/**
 * The flags `simulate` and `call` run with. Local developer tools, they run in dev mode like `npm start`
 * (flows may call localhost and private addresses) unless --strict-outbound or --no-dev asks for the
 * server's strict outbound policy.
 */
export function localToolFlags(flags: Flags): Flags {
  const { 'strict-outbound': strict, ...rest } = flags;
  if (strict === true) return { ...rest, dev: false };
  return rest.dev === undefined ? { ...rest, dev: true } : rest;
}

/**
 * The flow `simulate` or `call` is given: a FlowSid (its hex lower-cased, as stored), or a file; or why it
 * is neither, when it is written as a FlowSid (FW and letters or digits, or the docs' `FW…` pasted as is)
 * and no file has that name:
 * `'FWbad' is not a flow SID (FW followed by 32 hex characters), nor a flow file`, checked with
 * sidArgument as every command checks its SIDs (bad usage, not a file that cannot be read).
 */
export function flowTargetArgument(target: string): { target: string } | { problem: string } {
  const checked = sidArgument('FW', target);
  if ('sid' in checked) return { target: checked.sid };
  if (/^FW[\w…]*$/i.test(target) && !existsSync(target)) return { problem: `${checked.problem}, nor a flow file` };
  return { target };
}

/**
 * `simulate`'s or `call`'s flow opened (see openFlowTarget) with the contact (--from) and the flow's
 * address (--to). When there is nothing to run, the exit code: 2 for no flow named or a FlowSid that
 * is none (bad usage, as in every command), 1 for a flow that cannot be found or loaded; the reasons
 * are already printed.
 */
export async function openSimulation(
  command: 'simulate' | 'call',
  target: string | undefined,
  flags: Flags,
): Promise<{ app: App; account: Account; flowSid: string; from: string; to: string; stored: boolean } | number> {
  if (!target) {
    console.error(`switchboard ${command}: name the flow to run, a FlowSid (FW…) or a flow file\nUsage: switchboard ${command} <FlowSid|flow.json> [--from +1555…] [--to +1500…] ('switchboard ${command} --help' says more)`);
    return 2;
  }
  // A phone number as its E.164, as the server's simulator and Twilio's webhooks give it (so --from '+1 (555)
  // 123-0043' is the contact a REST create with that To, or a test user written so, knows as +15551230043).
  const from = withoutPhoneFormatting(typeof flags.from === 'string' ? flags.from : '+15551230001');
  const to = withoutPhoneFormatting(typeof flags.to === 'string' ? flags.to : SIMULATOR_FLOW_ADDRESS);
  const flow = flowTargetArgument(target);
  if ('problem' in flow) {
    console.error(`switchboard ${command}: ${flow.problem}`);
    return 2;
  }
  let vars: JsonObject | undefined;
  if (typeof flags.vars === 'string') {
    if (isSid('FW', flow.target)) {
      console.error(`switchboard ${command}: --vars fills in a flow file's \${…} placeholders; ${flow.target} is a stored flow`);
      return 2;
    }
    const read = readVarsFile(flags.vars);
    if ('problem' in read) {
      console.error(`switchboard ${command}: ${read.problem}`);
      return 2;
    }
    vars = read.vars;
  }
  const opened = await openFlowTarget(flow.target, flags, `switchboard ${command}: `, vars);
  if (!opened) return 1;
  // A flow kept as a Terraform template runs as written: a request to `${api}/…` fails, a `${workflow}` is no SID.
  const left = opened.placeholders ?? [];
  if (left.length > 0) {
    const named = left.slice(0, 3).join(', ') + (left.length > 3 ? `, … (${left.length} in all)` : '');
    console.log(`Note: deploy-time placeholders are left as written: ${named}; --vars FILE fills them in.`);
  }
  // `stored`: a flow of the store named by its FlowSid (not a file run in a throw-away store).
  return { ...opened, from, to, stored: isSid('FW', flow.target) };
}

/**
 * Why an effect (an HTTP request, a message…) failed, per app, keyed by execution and widget: the
 * engine keeps no trace of it (a failed Make HTTP Request's outputs are empty), so the runtime's
 * observer reports it here (see failureRecorder) and printNewSteps prints it under the step.
 */
const effectFailures = new WeakMap<App, Map<string, string>>();

function failureKey(executionSid: string, widget: string): string {
  return `${executionSid}\u0000${widget}`;
}

/**
 * An observer that passes everything on to `delegate()` (the app's telemetry, once it exists) and
 * remembers in `failures` why each failed effect failed.
 */
function failureRecorder(failures: Map<string, string>, delegate: () => RuntimeObserver): RuntimeObserver {
  return {
    sprint: (label, run) => delegate().sprint(label, run),
    sprintWritten: (report) => delegate().sprintWritten(report),
    timerFired: (lateByMs) => delegate().timerFired(lateByMs),
    async effect(label, run) {
      const key = failureKey(label.executionSid, label.widget);
      try {
        const result = await delegate().effect(label, run);
        const why = effectFailure(result);
        if (why) failures.set(key, why);
        else failures.delete(key);
        return result;
      } catch (error) {
        failures.set(key, (error as Error).message);
        throw error;
      }
    },
  };
}

/** Why a step left its widget by a failure transition, or null when it did not or nothing says. */
function stepFailureReason(app: App, executionSid: string, step: StepRecord): string | null {
  if (!FAILURE_STEP_NAMES.has(step.name)) return null;
  const failures = effectFailures.get(app);
  const key = failureKey(executionSid, step.transitionedFrom);
  // Kept until the widget's next effect: a widget failing again and again in one round (a retry loop) fails
  // for the reason its last effect gave, under each of its steps (the reason showed under the first only).
  return failureReason(step.name, step.context as JsonObject, failures?.get(key));
}

/** Prints the execution's steps not printed yet (`shown` remembers them), each failure with its reason. */
export async function printNewSteps(app: App, accountSid: string, flowSid: string, executionSid: string, shown: Set<string>): Promise<void> {
  const steps = await app.store.listSteps(accountSid, flowSid, executionSid, { pageSize: 1000 });
  for (const step of steps.items) {
    if (shown.has(step.sid)) continue;
    shown.add(step.sid);
    // A subflow's steps one level in: its `Trigger —incomingParent→ …` and `… → Ended` are not the flow starting or ending again.
    const indent = step.parentStepSid ? '      ' : '    ';
    console.log(`${indent}· ${step.transitionedFrom} —${step.name}→ ${step.transitionedTo}${step.parentStepSid ? '  (subflow)' : ''}`);
    const why = stepFailureReason(app, executionSid, step);
    if (why) console.log(`${indent}  ✗ ${why}`);
    const task = flexTask(step);
    if (task) console.log(`${indent}  → ${task}`);
  }
}

/**
 * The Flex task a Send to Flex step handed the contact to, with its attributes (rendered from the widget's
 * Liquid, where a flow's routing goes wrong unseen): `Flex task WT… {"name": …}`. Null for any other step.
 */
export function flexTask(step: Pick<StepRecord, 'type' | 'name' | 'context'>): string | null {
  const taskSid = step.context.TaskSid;
  if (step.type !== 'send-to-flex' || typeof taskSid !== 'string') return null;
  const attributes = step.context.Attributes;
  const shown = typeof attributes === 'string' ? attributes : attributes === undefined ? '' : JSON.stringify(attributes);
  return `Flex task ${taskSid}${shown ? ` ${shown.length > 500 ? `${shown.slice(0, 500)}…` : shown}` : ''}`;
}

/**
 * The app (to be closed by the caller), its startup account and the flow `target` (a FlowSid or a file,
 * as flowTargetArgument gives it) names. Null when the flow cannot be found or loaded: the reasons are
 * already printed (the first line after `prefix`, the command's name), the app already closed.
 */
export async function openFlowTarget(target: string, flags: Flags, prefix = '', vars?: JsonObject): Promise<{ app: App; account: Account; flowSid: string; placeholders?: string[] } | null> {
  const config = loadConfig(flags);
  // A FlowSid cut short or mistyped is refused before (flowTargetArgument): what is not one is a file.
  const fromFile = !isSid('FW', target);
  // A FlowSid names a flow in an existing store: opening the data directory must not make a new, empty one.
  const missing = fromFile ? null : missingStore(config);
  if (missing) {
    // The flows and executions commands go through SWITCHBOARD_URL; this one opens the server's store itself.
    const url = process.env.SWITCHBOARD_URL;
    const through = url ? `; a FlowSid runs on the store of the server at ${url} (SWITCHBOARD_URL), not through it: give its --data-dir or DATABASE_URL` : '';
    console.error(`${prefix}flow ${target}: ${missing}${through}`);
    return null;
  }
  const failures = new Map<string, string>();
  let opened: App | undefined;
  const observer = failureRecorder(failures, () => opened?.observability.observer ?? NO_OBSERVER);
  // A flow file runs alone in memory; a FlowSid as a guest of the store a server may be running on:
  // only this process's executions' timers fire here, and none of the server's work is taken on
  // (nor a server's background chores, such as the delivery-report sweep, started). That store is not
  // migrated here: one an older Switchboard made is refused (cli-store.ts).
  let app: App;
  try {
    const store = fromFile ? new SqliteStore({ path: ':memory:' }) : guestStore(await openCliStore(config));
    app = await createApp(config, { store, runtime: { observer }, backgroundChores: false });
  } catch (error) {
    if (reportSchemaRefusal(error)) return null;
    throw error;
  }
  opened = app;
  effectFailures.set(app, failures);
  try {
    if (!fromFile) {
      // The flow's own account, whichever it is (accounts made with `accounts create` included).
      for (const account of await app.store.listAccounts()) {
        if (await app.store.getFlow(account.sid, target)) return { app, account, flowSid: target };
      }
      console.error(`${prefix}flow ${target} not found in the store ${config.databaseUrl ? 'at DATABASE_URL' : `in ${config.dataDir}`}`);
    } else {
      const { account } = await app.accounts.ensureStartupAccount(config.account);
      const published = await publishFlowFile(app, account.sid, target, vars);
      if (published.ok) return { app, account, flowSid: published.flowSid, placeholders: published.placeholders };
      // The validator's findings follow the first line, indented under it.
      published.problems.forEach((problem, i) => console.error(i === 0 ? `${prefix}${problem}` : problem));
    }
  } catch (error) {
    // What failed is reported, not closing after it (a store that never opened fails that again).
    await app.close().catch(() => undefined);
    // PostgreSQL refuses an older schema at the first query.
    if (reportSchemaRefusal(error)) return null;
    throw error;
  }
  await app.close();
  return null;
}

/** `placeholders`: the file's deploy-time `${…}` placeholders left unfilled (none in its description, which no run reads). */
export type FlowFileResult = { ok: true; flowSid: string; placeholders: string[] } | { ok: false; problems: string[] };

/** `vars`: values for the file's deploy-time `${…}` placeholders (--vars FILE), filled in before it is published. */
export async function publishFlowFile(app: App, accountSid: string, path: string, vars?: JsonObject): Promise<FlowFileResult> {
  // A file may hold a Flow resource (GET /v2/Flows/FW…) rather than the bare definition.
  const read = readFlowFile(path);
  if ('unreadable' in read) return { ok: false, problems: [`${path}: ${read.unreadable}`] };
  if ('notDefinition' in read) return { ok: false, problems: [`${path}: not a flow definition: ${read.notDefinition}`] };
  try {
    const friendlyName = basename(path).slice(0, 64);
    const definition = vars ? substituteTemplateVars(read.definition, vars).value : read.definition;
    const flow = await app.flows.create(accountSid, { friendlyName, status: 'published', definition });
    const { description: _description, ...runs } = definition as unknown as JsonObject;
    return { ok: true, flowSid: flow.sid, placeholders: substituteTemplateVars(runs, {}).left };
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind !== 'invalid-definition') throw error;
    const issues = (error.details?.errors ?? []) as { property_path: string; message: string }[];
    return {
      ok: false,
      problems: [`${path}: invalid flow definition`, ...issues.map((issue) => `  ${issue.property_path}: ${issue.message}`)],
    };
  }
}

/** Whether the revision `contact` runs leads any of the Trigger's `events` to a widget; null when that cannot be told. */
export async function triggerLeadsOn(store: Store, flow: FlowRecord, contact: string, events: string[]): Promise<boolean | null> {
  const revision = await revisionFor(store, flow, contact);
  const saved = revision === null ? undefined : (await store.getRevision(flow.accountSid, flow.sid, revision))?.definition;
  // As the runtime will run it: an invalid draft's unfollowable parts dropped.
  const definition = saved && runnable(saved);
  const trigger = definition?.states.find((state) => state.name === definition.initial_state);
  if (!trigger || !Array.isArray(trigger.transitions)) return null;
  return trigger.transitions.some((t) => !!t?.event && events.includes(t.event) && !!t.next);
}
