/*
 * The bucket check's failure, apart from the check itself: backend-errors.ts (loaded at start) describes it, and
 * must not load the AWS SDK with it (the SDK loads on the first S3 operation: lazy-s3-backend.ts).
 */

/** Which step of the bucket check failed: the bucket itself (exists, region, credentials), listing it, or writing. */
export type BucketCheckStep = 'bucket' | 'list' | 'write' | 'timeout';

/** What was checked: named in the messages (never the credentials). */
export type BucketTarget = { bucket: string; region: string; endpoint: string | null };

/** A failed bucket check: the step, and the SDK's error as `cause` (never shown as is: backend-errors says it). */
export class BucketCheckError extends Error {
  constructor(
    readonly target: BucketTarget,
    readonly step: BucketCheckStep,
    override readonly cause: unknown,
    /** The region S3 says the bucket is in (its x-amz-bucket-region answer), when it said one. */
    readonly bucketRegion?: string,
  ) {
    super(`S3 bucket check failed at the ${step} step`);
    this.name = 'BucketCheckError';
  }
}

export const BUCKET_CHECK_TIMEOUT_MS = 10_000;
