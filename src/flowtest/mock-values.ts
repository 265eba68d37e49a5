// The values the flow-test schema allows in the mocks `test --record` writes, read from the schema
// itself (so the recorder and the loader never disagree), and how a recorded value that is not one of
// them is written instead: the recorded text passed on as an action parameter where the mock takes
// `params` (the simulation sends it as it came), else left out with a note saying what the test does.
import { readFileSync } from 'node:fs';

type SchemaNode = { enum?: string[]; minimum?: number; maximum?: number; properties?: Record<string, SchemaNode>; items?: SchemaNode };
const schema = JSON.parse(readFileSync(new URL('../../schemas/flow-test.schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, SchemaNode> };

function node(...path: string[]): SchemaNode {
  let at: SchemaNode | undefined = schema.definitions.mocks;
  for (const key of path) at = key === '[]' ? at?.items : at?.properties?.[key];
  if (!at) throw new Error(`flow-test schema: no mocks.${path.join('.')}`);
  return at;
}

const enumOf = (...path: string[]): ReadonlySet<string> => new Set(node(...path).enum ?? []);

export const DIAL_STATUSES = enumOf('dial', '[]', 'status');
export const ENQUEUE_RESULTS = enumOf('enqueue', '[]', 'result');
export const PAY_RESULTS = enumOf('pay', '[]', 'result');
export const VIRTUAL_AGENT_STATUSES = enumOf('virtualAgent', '[]', 'status');
export const CONVERSATION_RELAY_STATUSES = enumOf('conversationRelay', '[]', 'status');
export const ANSWERED_BY = enumOf('calls', '[]', 'answeredBy');

const httpStatus = schema.definitions.httpMock!.properties!.status!;

/** Whether an HTTP or Function mock may give this status (a whole number in the schema's range). */
export function isMockableStatus(status: unknown): status is number {
  return Number.isInteger(status) && (status as number) >= (httpStatus.minimum ?? 100) && (status as number) <= (httpStatus.maximum ?? 599);
}
