/**
 * A RecordedResource as offline/run-program.ts records one, for tests that hand the policy runner or the
 * update order resources without planning a program: a custom resource of stack `stack` (project
 * `infrasage`) whose inputs are also its raw inputs and its outputs; `more` overrides any field.
 */
import type { RecordedResource } from "../../offline/run-program";

export const recordedUrn = (type: string, name: string, stack = "eu-west-1") =>
  `urn:pulumi:${stack}::infrasage::${type}::${name}`;

export function recorded(
  type: string,
  name: string,
  inputs: Record<string, unknown> = {},
  more: Partial<RecordedResource> = {},
  stack = "eu-west-1",
): RecordedResource {
  return {
    urn: recordedUrn(type, name, stack),
    type,
    name,
    custom: true,
    inputs,
    rawInputs: inputs,
    wire: { inputs, outputs: inputs },
    propertyDependencies: {},
    dependencies: [],
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    aliases: [],
    deleteBeforeReplace: false,
    ...more,
  };
}
