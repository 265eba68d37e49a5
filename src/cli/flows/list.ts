// `switchboard flows list`: the server's flows, as a table or (--json) in the shape documented.
import { table } from '../remote.ts';
import { isoSeconds } from '../../lib/iso-date.ts';
import type { FlowsContext } from './context.ts';

export async function flowsList({ json, client }: FlowsContext): Promise<number> {
  const flows = await (await client()).listFlows();
  // A flow never updated has no date_updated (--json prints null): a dash, its creation date beside it.
  // --json: the table's columns, dates as the API gives them, to the second (date_updated null when never updated).
  const listed = flows.map(({ sid, friendlyName, status, revision, dateCreated, dateUpdated }) => ({
    sid,
    friendlyName,
    status,
    revision,
    dateCreated: isoSeconds(Date.parse(dateCreated)),
    dateUpdated: dateUpdated === null ? null : isoSeconds(Date.parse(dateUpdated)),
  }));
  const rows = listed.map((flow) => ({ ...flow, updated: flow.dateUpdated ?? '-' }));
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
