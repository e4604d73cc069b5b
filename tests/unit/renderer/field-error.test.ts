import { describe, expect, it } from 'vitest';
import { bannerError, errorFor, plainMessage } from '../../../renderer/src/components/field-error';
import { IDENTITY_MESSAGES, PasswordSchema, UserCreateSchema, UsernameSchema, passwordProblem, usernameProblem } from '@shared/domain/identity';
import { S3BackendInputSchema } from '@shared/domain/datastore';
import { S3_MESSAGES, s3BackendProblems } from '@shared/domain/s3-backend.catalog';
import { describeZodError } from '@core/handlers/dispatch';

describe('errors next to their fields', () => {
  it("drops the API's field prefix, starts with a capital and ends with a stop", () => {
    expect(plainMessage({ code: 'INVALID_INPUT', message: 'password: Use at least 12 characters.', field: 'password' })).toBe('Use at least 12 characters.');
    expect(plainMessage({ code: 'CONFLICT', message: 'a workspace named "x" already exists', field: 'name' })).toBe('A workspace named "x" already exists.');
    expect(plainMessage({ code: 'INTERNAL', message: 'something went wrong' })).toBe('Something went wrong.');
  });

  it('gives each error to its field or to the banner, never both', () => {
    const byField = { code: 'INVALID_INPUT' as const, message: 'username: Enter a username.', field: 'username' };
    expect(errorFor(byField, 'username')).toBe('Enter a username.');
    expect(errorFor(byField, 'password')).toBeNull();
    expect(bannerError(byField, ['username', 'password'])).toBeNull();
    const general = { code: 'FORBIDDEN' as const, message: 'only an admin can do that' };
    expect(errorFor(general, 'username')).toBeNull();
    expect(bannerError(general, ['username'])).toBe(general);
    expect(bannerError(null, ['username'])).toBeNull();
  });
});

describe('the form and the server say the same thing', () => {
  it('users: the checks before submit match the schema, and the API sentence is the field and the words', () => {
    expect(passwordProblem('short')).toBe(IDENTITY_MESSAGES.passwordTooShort);
    expect(passwordProblem('twelve chars')).toBeNull();
    expect(passwordProblem('x'.repeat(1025))).toBe(IDENTITY_MESSAGES.passwordTooLong);
    expect(usernameProblem('  ')).toBe(IDENTITY_MESSAGES.usernameRequired);
    expect(usernameProblem('two words')).toBe(IDENTITY_MESSAGES.usernameCharacters);
    expect(usernameProblem('x'.repeat(65))).toBe(IDENTITY_MESSAGES.usernameTooLong);
    expect(usernameProblem('ann.lee@example')).toBeNull();
    for (const [value, problem] of [['short', passwordProblem('short')], ['x'.repeat(1025), passwordProblem('x'.repeat(1025))]] as const) {
      expect(PasswordSchema.safeParse(value).error?.issues[0]?.message).toBe(problem);
    }
    for (const name of ['', 'two words', 'x'.repeat(65)]) expect(UsernameSchema.safeParse(name).error?.issues[0]?.message).toBe(usernameProblem(name));

    const r = UserCreateSchema.safeParse({ workspaceId: '11111111-1111-4111-8111-111111111111', username: 'ann', password: 'short', role: 'viewer' });
    expect(describeZodError(r.error!)).toEqual({ message: 'password: Use at least 12 characters.', field: 'password' });
  });

  it('S3 datastores: the checks before submit match the schema', () => {
    const s3 = { region: 'EU', bucket: 'ab', accessKeyId: '', secretAccessKey: '' };
    expect(s3BackendProblems(s3)).toEqual({
      'backend.region': S3_MESSAGES.regionCharacters,
      'backend.bucket': S3_MESSAGES.bucketLength,
      'backend.accessKeyId': S3_MESSAGES.accessKeyIdRequired,
      'backend.secretAccessKey': S3_MESSAGES.secretAccessKeyRequired,
    });
    const issues = S3BackendInputSchema.safeParse({ type: 's3', ...s3 }).error!.issues;
    const byField = Object.fromEntries(issues.map((i) => [`backend.${i.path.join('.')}`, i.message]));
    expect(byField).toEqual(s3BackendProblems(s3));
    expect(s3BackendProblems({ region: '', bucket: 'reports', accessKeyId: 'A', secretAccessKey: 'B' })).toEqual({ 'backend.region': S3_MESSAGES.regionRequired });
    expect(s3BackendProblems({ region: 'us-east-1', bucket: 'reports', accessKeyId: 'A', secretAccessKey: 'B' })).toEqual({});
    expect(S3BackendInputSchema.safeParse({ type: 's3', endpoint: 'ftp://x', region: 'us-east-1', bucket: 'reports', accessKeyId: 'A', secretAccessKey: 'B' }).error?.issues[0]?.message).toBe(S3_MESSAGES.endpoint);
  });
});
