/** One thing a real `pulumi preview` / `pulumi up` would refuse before creating anything. */
export interface Finding {
  readonly kind: "chart" | "project" | "stack-name" | "stack-reference" | "deploy-path" | "placeholder";
  /** The file to fix (a stack file, a Pulumi.yaml, a Chart.yaml). */
  readonly file: string;
  /** The config key or file field, when there is one. */
  readonly key?: string;
  readonly message: string;
  readonly fix: string;
}
