/**
 * GitHub Actions' OIDC issuer and the audience AWS expects (docs.github.com, "Configuring OpenID
 * Connect in Amazon Web Services"). The bootstrap (bootstrap/lib/names.ts) writes trust policies with
 * them; the pack's bootstrap rules check them.
 */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests. */
export const OIDC_AUDIENCE = "sts.amazonaws.com";
