/**
 * The settings of a jurisdiction's state bucket and keys, as plain values the program passes to the
 * provider unchanged (tests pin them without Pulumi).
 */
import type { PolicyDocument } from "../../lib/aws/policy-document";

/** Old checkpoints are kept this long after a newer one replaces them (a bad `up` can be rolled back by hand). */
const NONCURRENT_VERSION_DAYS = 90;
/** KMS rotates a key's material yearly by default; 365 days is the explicit period. */
const KEY_ROTATION_DAYS = 365;
/** The waiting period before a scheduled key deletion (the maximum: state encrypted with it stays readable longest). */
const KEY_DELETION_WINDOW_DAYS = 30;

export const VERSIONING = { status: "Enabled" } as const;

export const PUBLIC_ACCESS_BLOCK = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
} as const;

/** SSE-KMS with the jurisdiction's key; bucket keys cut KMS requests (and cost) per object. */
export const encryption = <K>(keyArn: K) => ({
  rules: [
    { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true },
  ],
});

export const LIFECYCLE = {
  rules: [
    {
      id: "expire-old-checkpoints",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ],
};

/** Refuses every request that is not TLS, and every object written without the bucket's KMS encryption. */
export function tlsOnlyPolicy(bucket: string): PolicyDocument {
  const arn = `arn:aws:s3:::${bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyUnencryptedObjects",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${arn}/*`,
        Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
      },
    ],
  };
}

/** A customer-managed key of the jurisdiction: rotating, never deleted on a whim. */
export const keySettings = (description: string) => ({
  description,
  enableKeyRotation: true,
  rotationPeriodInDays: KEY_ROTATION_DAYS,
  deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
});
