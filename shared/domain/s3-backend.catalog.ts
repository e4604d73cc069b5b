/**
 * Plain data, no zod: what a person is told when an S3 datastore's settings are not usable, used by the schema
 * (datastore.ts) and by the New datastore dialog's checks before submit, so both say the same thing. Each reads on
 * its own next to its field; the API prefixes the field ("backend.bucket: …").
 */
export const S3_BUCKET_MIN = 3;
export const S3_BUCKET_MAX = 63;
export const S3_REGION_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export const S3_MESSAGES = {
  endpoint: 'Use an http:// or https:// URL, e.g. https://s3.example.com, or leave it empty for AWS.',
  regionRequired: 'Enter the region, e.g. us-east-1.',
  regionCharacters: 'Use lowercase letters, digits and dashes, e.g. us-east-1.',
  bucketLength: `A bucket name has ${S3_BUCKET_MIN} to ${S3_BUCKET_MAX} characters.`,
  accessKeyIdRequired: 'Enter the access key id.',
  secretAccessKeyRequired: 'Enter the secret access key.',
} as const;

/** The problems the dialog can see before submit, by the API's field names; empty when it looks usable. */
export function s3BackendProblems(s3: { region: string; bucket: string; accessKeyId: string; secretAccessKey: string }): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  if (!s3.region) out['backend.region'] = S3_MESSAGES.regionRequired;
  else if (!S3_REGION_PATTERN.test(s3.region)) out['backend.region'] = S3_MESSAGES.regionCharacters;
  if (s3.bucket.length < S3_BUCKET_MIN || s3.bucket.length > S3_BUCKET_MAX) out['backend.bucket'] = S3_MESSAGES.bucketLength;
  if (!s3.accessKeyId) out['backend.accessKeyId'] = S3_MESSAGES.accessKeyIdRequired;
  if (!s3.secretAccessKey) out['backend.secretAccessKey'] = S3_MESSAGES.secretAccessKeyRequired;
  return out;
}
