import { describe, expect, it } from 'vitest';
import { CHANNELS, PUSH_EVENTS } from '@shared/ipc/channels';
import { contract } from '@shared/ipc/contract';

/**
 * One case for every name that crosses a transport: `domain:verb` (or `domain:noun:verb`), each segment camelCase,
 * as most channels already were (`vault:rotateMasterKey`, `oauthApps:list`). A kebab or snake name would be a
 * second spelling callers have to remember.
 */
const CAMEL_SEGMENTS = /^[a-z][a-zA-Z0-9]*(:[a-z][a-zA-Z0-9]*)+$/;

describe('channel and push event names', () => {
  it.each([...CHANNELS, ...PUSH_EVENTS])('%s is camelCase segments', (name) => {
    expect(name).toMatch(CAMEL_SEGMENTS);
  });

  it('lists every contract channel once, and nothing else', () => {
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    expect([...CHANNELS].sort()).toEqual(Object.keys(contract).sort());
  });
});
