// --record: turns a recorded conversation (the simulator transcript plus the execution's context
// and steps) into a test file whose expectations are what happened, so it passes as recorded and
// fails when the flow's behaviour changes.
import { stringify } from 'yaml';
import type { FlowDefinition } from '../definition/types.ts';
import type { JsonObject } from '../engine/types.ts';
import { deriveInputs, recordedMessages, type RecordedStep } from './derive.ts';
import type { Expectations, HttpMock, Mocks, TestCase, TestFile } from './types.ts';

export interface Recording {
  executionSid: string;
  status: 'active' | 'ended';
  context: JsonObject;
  steps: RecordedStep[];
  definition: FlowDefinition;
  /** Outbound message bodies from the simulator transcript, when the server has one. */
  transcript?: string[];
}

/** A URL pattern for a widget's URL template: Liquid parts become `*`. */
function urlPattern(template: unknown): string {
  const text = typeof template === 'string' ? template.trim() : '';
  if (!text) return '*';
  return text.replace(/\{\{.*?\}\}|\{%.*?%\}/g, '*');
}

function mocksFor(definition: FlowDefinition, http: Map<string, HttpMock[]>): Mocks {
  const mocks: Mocks = {};
  for (const [widget, answers] of http) {
    const state = definition.states.find((s) => s.name === widget);
    if (!state || answers.length === 0) continue;
    const pattern = urlPattern(state.properties.url);
    const entries = answers.map((a, i) => ({ ...a, ...(answers.length > 1 && i < answers.length - 1 ? { times: 1 } : {}) }));
    if (state.type === 'run-function') {
      const name = pattern.split('?')[0]!.split('/').filter(Boolean).at(-1);
      for (const e of entries) (mocks.functions ??= []).push(name && !name.includes('*') ? { name, ...e } : { url: pattern, ...e });
    } else {
      const method = typeof state.properties.method === 'string' ? state.properties.method.toUpperCase() : 'GET';
      for (const e of entries) (mocks.http ??= []).push({ method, url: pattern, ...e });
    }
  }
  return mocks;
}

function endOf(recording: Recording): Expectations['end'] {
  if (recording.status === 'active') return 'waiting';
  const last = recording.steps.filter((s) => !s.parentStepSid).at(-1);
  const error = last?.context?.error as { code?: number } | undefined;
  if (last?.to === 'Ended' && error && typeof error.code === 'number') return { error: error.code };
  // A call that ended while a widget waited on the caller was hung up (replayed as `hangup`).
  if (last && last.to !== 'Ended') return (recording.context.trigger as JsonObject | undefined)?.call ? 'completed' : 'manual';
  return 'completed';
}

export function testFromRecording(recording: Recording, options: { flowPath: string; name?: string }): TestFile {
  const endedManually = recording.status === 'ended' && endOf(recording) === 'manual';
  const inputs = deriveInputs((recording.context.trigger ?? {}) as JsonObject, recording.steps, { definition: recording.definition, endedManually, ended: recording.status === 'ended' });
  const mocks = mocksFor(recording.definition, inputs.http);
  if (inputs.messages.length) mocks.messages = inputs.messages;
  const main = recording.steps.filter((s) => !s.parentStepSid);
  const path = main.map((s) => s.from);
  const last = main.at(-1);
  if (last && last.to !== 'Ended') path.push(last.to);
  const variables = ((recording.context.flow as JsonObject | undefined)?.variables ?? {}) as JsonObject;
  const expect: Expectations = {
    messages: recording.transcript ?? recordedMessages(recording.steps),
    path,
    ...(Object.keys(variables).length ? { variables } : {}),
    end: endOf(recording),
  };
  const test: TestCase = {
    name: options.name ?? `recorded ${recording.executionSid}`,
    trigger: inputs.trigger,
    ...(Object.keys(mocks).length ? { mocks } : {}),
    ...(inputs.script.length ? { script: inputs.script } : {}),
    expect,
  };
  return { flow: options.flowPath, tests: [test] };
}

export function testFileYaml(file: TestFile, header: string[]): string {
  return header.map((l) => `# ${l}`).join('\n') + '\n' + stringify(file, { lineWidth: 0 });
}
