import type { ConnectionTestResult, Provider } from '@shared/domain/connection';

/**
 * What a live test needs: the provider, its non-secret settings, the credential (or OAuth access token) and the
 * credential fields that are set (Datadog `applicationKey`, Snowflake `passphrase`; absent when not set).
 */
export type TestRequest = {
  provider: Provider;
  settings: Readonly<Record<string, string>>;
  credential: string;
  credentialFields?: Readonly<Record<string, string>>;
};

/** The result without its timestamp; the service stamps it with its clock. */
export type TestOutcomeReport = Omit<ConnectionTestResult, 'testedAt'>;

/**
 * Calls the provider's validation endpoint and classifies the answer. Must never throw for a provider-side
 * problem (that is an outcome), must finish within its timeout, and must never put a provider body into its message.
 */
export type ConnectionTester = (req: TestRequest) => Promise<TestOutcomeReport>;
