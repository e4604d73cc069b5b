import os from 'node:os';
import path from 'node:path';

export type CoreConfig = {
  /** Absolute path; created 0700. Everything the app persists lives under it. */
  dataDir: string;
  mode: 'desktop' | 'headless';
  version: string;
  /** Name of the OS user running the app: the local admin. */
  localUser: string;
};


export const APP_NAME = 'ProvenanceOne';

/** Same folder Electron's app.getPath('userData') gives for productName "ProvenanceOne", so both modes share data. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), APP_NAME);
}
