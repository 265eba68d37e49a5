// The account's flows by SID (name and status), for choosing a Run Subflow's flow and naming the
// subflows an execution ran. One read of the whole list; only when `wanted`.
import type { Flow } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { useAsync } from '../ui/use-async.ts';

export type FlowSummary = Pick<Flow, 'sid' | 'friendly_name' | 'status'>;

export function useFlowList(wanted: boolean): FlowSummary[] | undefined {
  const api = useApi();
  const flows = useAsync(
    () => (wanted ? api.all<Flow>('/v2/Flows?PageSize=100', 'flows', 2000).then((all) => all.map(({ sid, friendly_name, status }) => ({ sid, friendly_name, status }))) : Promise.resolve(undefined)),
    [wanted],
  );
  return flows.data;
}
