import { test, expect, openConsole } from './fixtures';
import { S3RVER_CREDS, startS3rver } from '../helpers/s3rver';

/** An S3 datastore is checked when it is created (and on demand): a bucket it cannot use is refused with the reason. */
let s3: Awaited<ReturnType<typeof startS3rver>>;
/** The test stops the server itself to show an endpoint going away; stopping twice would wait for a second exit. */
let running = false;
test.beforeEach(async () => {
  s3 = await startS3rver();
  running = true;
  await s3.createBucket('e2e-bucket');
});
test.afterEach(async () => {
  if (running) await s3.stop();
});

test('creating an S3 datastore checks the bucket: a missing one is refused next to the bucket name; Test bucket on demand', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-datastores').click();
  await page.getByTestId('datastore-new').click();
  const dialog = page.getByTestId('datastore-create-dialog');
  await dialog.getByTestId('datastore-name').fill('Bucket e2e');
  await dialog.getByTestId('datastore-backend').selectOption('s3');
  await dialog.getByTestId('datastore-s3-endpoint').fill(s3.endpoint);
  await dialog.getByTestId('datastore-s3-bucket').fill('no-such-bucket');
  await dialog.getByText('Path-style addressing').click();
  await dialog.getByTestId('datastore-s3-accessKeyId').fill(S3RVER_CREDS.accessKeyId);
  await dialog.getByTestId('datastore-s3-secretAccessKey').fill(S3RVER_CREDS.secretAccessKey);
  await dialog.getByTestId('datastore-create').click();

  const bucketError = dialog.getByTestId('datastore-s3-bucket-error');
  await expect(bucketError).toHaveText(`There is no bucket "no-such-bucket" at ${s3.endpoint}; create it first or fix the bucket name.`);
  await expect(dialog.getByTestId('datastore-create-error')).toHaveCount(0);
  await expect(page.getByTestId('datastore-item')).toHaveCount(0);

  // A wrong key is said next to the key.
  await dialog.getByTestId('datastore-s3-bucket').fill('e2e-bucket');
  await expect(bucketError).toHaveCount(0);
  await dialog.getByTestId('datastore-s3-accessKeyId').fill('AKIANOTKNOWN');
  await dialog.getByTestId('datastore-create').click();
  await expect(dialog.getByTestId('datastore-s3-accessKeyId-error')).toContainText('S3 does not accept this access key id');

  // The right bucket and key: created, and Test bucket says what was checked.
  await dialog.getByTestId('datastore-s3-accessKeyId').fill(S3RVER_CREDS.accessKeyId);
  await dialog.getByTestId('datastore-create').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('browser-title')).toHaveText('Bucket e2e');
  await page.getByTestId('datastore-test').click();
  await expect(page.getByTestId('datastore-test-result')).toHaveText('the bucket answers, can be listed and takes a write (the test object was deleted again)');
  await expect(page.getByTestId('objects-empty')).toBeVisible();

  // The endpoint goes away: Test says so, in red.
  await s3.stop();
  running = false;
  await page.getByTestId('datastore-test').click();
  await expect(page.getByTestId('datastore-test-result')).toHaveClass(/danger-text/);
  await expect(page.getByTestId('datastore-test-result')).toContainText('unreachable');
});
