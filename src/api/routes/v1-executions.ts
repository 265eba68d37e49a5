// Studio v1 Executions and the deprecated v1 Engagements: the same executions seen through the
// older shapes (no flow_version or initiated_by). v1 creates answer 200 and, when the contact pair
// already has an active execution, return that one instead of a 409.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { registerExecutionCollection } from './v2-executions.ts';

export function registerV1Executions(routes: Routes, ctx: ApiContext): void {
  registerExecutionCollection(routes, ctx, 'v1');
  registerExecutionCollection(routes, ctx, 'v1-engagement');
}
