// An execution's steps as a tree: a subflow's steps (parent_step_sid: the parent's step that entered
// its Run Subflow widget) go under that step, a nested subflow's under its own. Pure; the timeline
// of the execution page and the simulators' step lists draw it; test/web/execution-page.test.ts.

export interface TreeStep {
  sid: string;
  parent_step_sid: string | null;
  transitioned_to: string;
}

export interface StepNode<S extends TreeStep> {
  step: S;
  /** Its place in the whole execution, from 1, subflow steps included. */
  number: number;
  /** Set on a step that entered a Run Subflow widget: the steps the subflow took. */
  subflow: StepNode<S>[];
}

/** Steps in the order they happened, nested under the step that started their subflow. */
export function stepTree<S extends TreeStep>(steps: readonly S[]): StepNode<S>[] {
  const nodes = new Map<string, StepNode<S>>();
  const top: StepNode<S>[] = [];
  steps.forEach((step, index) => {
    const node: StepNode<S> = { step, number: index + 1, subflow: [] };
    nodes.set(step.sid, node);
    const parent = step.parent_step_sid ? nodes.get(step.parent_step_sid) : undefined;
    // A step whose parent is not (yet) known stays at the top rather than disappearing.
    (parent ? parent.subflow : top).push(node);
  });
  return top;
}

/** The steps of the flow itself, without its subflows': what its canvas can show a path of. */
export function ownSteps<S extends TreeStep>(steps: readonly S[]): S[] {
  return steps.filter((step) => !step.parent_step_sid);
}
