/** A resource as a plan records it: what the pure checks over a whole planned stack (limits, cost) read. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly rawInputs: Readonly<Record<string, unknown>>;
}
