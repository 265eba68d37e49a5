// One side of `flows diff` or `flows export`: a flow file, or a server flow as FW…, FW…@N (a revision),
// FW…@published or FW…@latest, fetched when asked for.
import { existsSync, readFileSync } from 'node:fs';
import type { FlowDefinition } from '../../definition/types.ts';
import { parseDefinitionFile } from '../../definition/parse.ts';
import type { RemoteFlow, StudioClient } from '../../flowtest/studio-client.ts';
import { readDefinition } from './files.ts';
import { substituteTemplateVars } from '../../definition/template-vars.ts';
import type { JsonObject } from '../../engine/types.ts';
import { isServerSide } from '../flows-diff-args.ts';
import { sidArgument } from '../sid-argument.ts';

/** One side of a diff: its definition, or (a file that is no JSON object, or nested too deep) why there is none. */
export type Side = { label: string; definition: FlowDefinition; flow?: ServerFlow } | { label: string; notDefinition: string };

/** The server flow a side was fetched from (none for a file). */
export interface ServerFlow {
  sid: string;
  friendlyName: string;
  revision: number;
}

/**
 * Why `spec` is neither a server flow nor a file, when it is written as a server flow (FW…, FW…@N) and no
 * file has that name: a mistyped or cut-short SID would otherwise be read as a file ("cannot read FWbad").
 * Null for a server side, a file, or anything else (read as a file, which says why it cannot be).
 */
export function serverSideProblem(spec: string): string | null {
  if (isServerSide(spec) || existsSync(spec) || !/^FW[^/\\]*$/i.test(spec)) return null;
  const checked = sidArgument('FW', spec.split('@')[0]!);
  if ('problem' in checked) return `${checked.problem}, nor a file`;
  return `'${spec}': the revision must be a number, published or latest`;
}

/** "FW…", "FW…@3", "FW…@published", or a file. */
export async function resolveSide(spec: string, client: () => Promise<StudioClient>, vars?: JsonObject): Promise<Side> {
  const m = /^(FW[0-9a-fA-F]{32})(?:@(\w+))?$/.exec(spec);
  if (!m) {
    const read = readDefinition(spec, {}, vars);
    if (!read.definition) {
      if (read.unreadable !== undefined) throw new Error(`cannot read ${spec}: ${read.unreadable}`);
      // An invalid definition can still be diffed, but not one that is no JSON object or is nested too deep:
      // that is an invalid definition (1, as validate and push say), not a failure to stop at.
      const parsed = parseDefinitionFile(readFileSync(spec, 'utf8'));
      if (!parsed.ok) return { label: spec, notDefinition: parsed.error };
      return { label: spec, definition: vars ? substituteTemplateVars(parsed.definition, vars).value : parsed.definition };
    }
    return { label: spec, definition: read.definition };
  }
  const c = await client();
  const [, sid, rev] = m;
  let flow: RemoteFlow;
  if (!rev) flow = await c.getFlow(sid!);
  else if (/^\d+$/.test(rev)) flow = await c.getRevision(sid!, Number(rev));
  else if (rev === 'published') flow = await c.getRevision(sid!, 'LatestPublished');
  else if (rev === 'latest' || rev === 'draft') flow = await c.getRevision(sid!, 'LatestRevision');
  else throw new Error(`'${spec}': the revision must be a number, published or latest`);
  return { label: `${flow.friendlyName} (${sid} revision ${flow.revision})`, definition: flow.definition, flow: { sid: sid!, friendlyName: flow.friendlyName, revision: flow.revision } };
}
