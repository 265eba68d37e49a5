// A flow file named on the command line (`simulate flow.json`, `call ivr.json`) becomes a published
// flow of the in-memory app. A missing file, broken JSON or an invalid definition is reported as
// lines a user can act on (the validator's findings with their paths), never as a stack trace.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { App } from '../app.ts';
import { parseDefinition } from '../definition/parse.ts';
import { DomainError } from '../runtime/errors.ts';

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
