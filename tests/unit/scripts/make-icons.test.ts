import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { ICON_SIZES, makeIcons } from '../../../scripts/make-icons.mjs';

const root = path.resolve(__dirname, '../../..');
/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Buffer) => ({ signature: b.subarray(1, 4).toString('latin1'), width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

describe('app icon set', () => {
  it('renders every size from the one SVG', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-icons-'));
    try {
      fs.mkdirSync(path.join(tmp, 'resources'));
      fs.copyFileSync(path.join(root, 'resources/icon.svg'), path.join(tmp, 'resources/icon.svg'));
      makeIcons(tmp);
      for (const size of ICON_SIZES as number[]) {
        expect(pngSize(fs.readFileSync(path.join(tmp, 'resources/icons', `${size}x${size}.png`)))).toEqual({ signature: 'PNG', width: size, height: size });
      }
      expect(pngSize(fs.readFileSync(path.join(tmp, 'resources/icon.png')))).toEqual({ signature: 'PNG', width: 1024, height: 1024 });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('is committed, and packaging points at files that exist', () => {
    const yml = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^icon: resources\/icon\.png$/m);
    expect(yml).toMatch(/^ {2}icon: resources\/icons$/m);
    expect(yml).toMatch(/^ {2}- resources\/icon\.png$/m);
    for (const size of ICON_SIZES as number[]) expect(fs.existsSync(path.join(root, 'resources/icons', `${size}x${size}.png`))).toBe(true);
    expect(fs.existsSync(path.join(root, 'resources/icon.png'))).toBe(true);
  });
});
