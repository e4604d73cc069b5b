// Renders the app icon in every size the platforms need from the one SVG, resources/icon.svg:
// resources/icon.png (1024 px: the window icon, and electron-builder's source for the macOS .icns and Windows .ico)
// and resources/icons/NxN.png (the Linux icon set electron-builder installs for AppImage/deb).
// Run `node scripts/make-icons.mjs` after changing the SVG; the PNGs are committed so packaging needs no renderer.
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

export function renderIcon(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
}

export function makeIcons(root = process.cwd()) {
  const dir = path.join(root, 'resources');
  const svg = fs.readFileSync(path.join(dir, 'icon.svg'));
  fs.mkdirSync(path.join(dir, 'icons'), { recursive: true });
  for (const size of ICON_SIZES) fs.writeFileSync(path.join(dir, 'icons', `${size}x${size}.png`), renderIcon(svg, size));
  fs.writeFileSync(path.join(dir, 'icon.png'), renderIcon(svg, 1024));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  makeIcons();
  console.log(`icons written: resources/icon.png and resources/icons/{${ICON_SIZES.join(',')}}`);
}
