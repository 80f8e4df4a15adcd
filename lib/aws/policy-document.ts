/** A plain IAM policy document: what `JSON.stringify` turns into a role's trust or permission policy. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/**
 * Trust of a role assumed with a web identity token (IRSA's cluster OIDC provider, GitHub Actions'
 * OIDC provider): only `sts:AssumeRoleWithWebIdentity` through `providerArn`, only when every
 * `StringEquals` condition (the token's `sub` and `aud` claims) holds. Key order is kept: the role's
 * stored document is compared as text.
 */
export function webIdentityTrust(
  providerArn: string,
  stringEquals: Readonly<Record<string, string | readonly string[]>>,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: stringEquals },
      },
    ],
  };
}
