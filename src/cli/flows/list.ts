// `switchboard flows list`: the server's flows, as a table or (--json) in the shape documented.
import { table } from '../remote.ts';
import type { FlowsContext } from './context.ts';

export async function flowsList({ json, client }: FlowsContext): Promise<number> {
  const flows = await (await client()).listFlows();
  // A flow never updated has no date_updated (--json prints null): a dash, its creation date beside it.
  const rows = flows.map((flow) => ({ ...flow, updated: flow.dateUpdated ?? '-' }));
  // --json: the table's columns, dates as the API gives them (date_updated null when never updated).
  const listed = flows.map(({ sid, friendlyName, status, revision, dateCreated, dateUpdated }) => ({ sid, friendlyName, status, revision, dateCreated, dateUpdated }));
  console.log(json ? JSON.stringify(listed, null, 2) : table(rows as unknown as Record<string, unknown>[], [
    { key: 'sid', title: 'sid' },
    { key: 'friendlyName', title: 'name' },
    { key: 'status', title: 'status' },
    { key: 'revision', title: 'revision' },
    { key: 'dateCreated', title: 'created' },
    { key: 'updated', title: 'updated' },
  ]));
  return 0;
}
