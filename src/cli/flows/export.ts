// `switchboard flows export FW…`: a server flow (or one revision of it) as Studio export JSON, on stdout
// or in --out.
import { existsSync, writeFileSync } from 'node:fs';
import { isServerSide } from '../flows-diff-args.ts';
import type { FlowsContext } from './context.ts';
import { definitionJson } from './files.ts';
import { resolveSide, serverSideProblem } from './side.ts';

export async function flowsExport({ values, positionals, json, client }: FlowsContext): Promise<number> {
  const sid = positionals[0];
  if (!sid) {
    console.error('switchboard flows export: give the flow SID (FW…)');
    return 2;
  }
  // A malformed SID would be read as a file name ("cannot read FWbad"): say what a flow SID looks like.
  const problem = serverSideProblem(sid);
  if (problem) {
    console.error(`switchboard flows export: ${problem}`);
    return 2;
  }
  // A friendly name (flows pull takes one) is no file either: say what export takes.
  if (!isServerSide(sid) && !existsSync(sid)) {
    console.error(`switchboard flows export: '${sid}' is not a flow SID (FW followed by 32 hex characters), nor a file: flows list shows each flow's SID`);
    return 2;
  }
  const side = await resolveSide(values.revision ? `${sid}@${values.revision}` : sid, client);
  if ('notDefinition' in side) throw new Error(`${sid}: not a flow definition: ${side.notDefinition}`);
  if (values.out) {
    writeFileSync(values.out, definitionJson(side.definition));
    if (!json) console.log(`exported ${side.label} → ${values.out}`);
  } else {
    process.stdout.write(definitionJson(side.definition));
  }
  return 0;
}
