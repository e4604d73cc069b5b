import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { ensureElectronBinary } from '../../../scripts/electron-binary.mjs';

/** `npm start` on a new machine: npm 11 skipped Electron's install script, so the start script fetches the binary. */
function harness(opts: { present: boolean; installStatus?: number | null; installs?: boolean }) {
  let present = opts.present;
  const calls = { install: 0, log: [] as string[], error: [] as string[] };
  const ok = ensureElectronBinary({
    binary: () => (present ? '/x/electron' : null),
    install: () => {
      calls.install += 1;
      if (opts.installs) present = true;
      return 'installStatus' in opts ? (opts.installStatus as number | null) : 0;
    },
    log: (l: string) => calls.log.push(l),
    error: (l: string) => calls.error.push(l),
  });
  return { ok, calls };
}

describe('Electron binary before npm start', () => {
  it('does nothing when the binary is there', () => {
    const { ok, calls } = harness({ present: true });
    expect(ok).toBe(true);
    expect(calls.install).toBe(0);
    expect(calls.log).toEqual([]);
  });

  it("runs Electron's installer when the binary is missing, and goes on once it is there", () => {
    const { ok, calls } = harness({ present: false, installs: true, installStatus: 0 });
    expect(ok).toBe(true);
    expect(calls.install).toBe(1);
    expect(calls.log[0]).toMatch(/downloading it with Electron's own installer/);
    expect(calls.error).toEqual([]);
  });

  it('says what to do when the download fails, and does not claim success', () => {
    const { ok, calls } = harness({ present: false, installStatus: 1 });
    expect(ok).toBe(false);
    expect(calls.error.join('\n')).toMatch(/installer exit code 1.*run `npm start` again.*npm run serve/s);
    expect(calls.error.join('\n')).not.toMatch(/install-electron/);
  });

  it('treats an installer that exits 0 without a binary as a failure', () => {
    const { ok, calls } = harness({ present: false, installStatus: 0, installs: false });
    expect(ok).toBe(false);
    expect(calls.error).toHaveLength(1);
  });

  it('reports an installer that could not run to the end', () => {
    const { ok, calls } = harness({ present: false, installStatus: null });
    expect(ok).toBe(false);
    expect(calls.error[0]).toMatch(/did not run to the end/);
  });
});
