/** Bytes as people read them (binary units, like `aws s3 cp` and rclone). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export type Progress = { add(bytes: number): void; fileDone(): void; stop(): void };

/**
 * The progress bar of `cp` (cli-progress, on stderr): bytes, speed and ETA, files done. On a terminal it redraws in
 * place; with `--progress` on a pipe or file it prints a line every second (what the tests read); otherwise nothing.
 */
export async function createProgress(o: { totalBytes: number; files: number; force: boolean; stream?: NodeJS.WriteStream }): Promise<Progress> {
  const stream = o.stream ?? process.stderr;
  if (!stream.isTTY && !o.force) return { add: () => undefined, fileDone: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const started = Date.now();
  let bytes = 0;
  let files = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted} | {files}/{nfiles} files',
      hideCursor: !!stream.isTTY,
      noTTYOutput: o.force,
      notTTYSchedule: 1000,
      etaBuffer: 50,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    return { done: formatBytes(bytes), size: formatBytes(o.totalBytes), speed: `${formatBytes(bytes / secs)}/s`, files, nfiles: o.files };
  };
  bar.start(Math.max(o.totalBytes, 1), 0, payload());
  return {
    add(n) {
      bytes += n;
      bar.update(bytes, payload());
    },
    fileDone() {
      files++;
      bar.update(bytes, payload());
    },
    stop() {
      bar.update(Math.max(bytes, o.totalBytes === 0 ? 1 : bytes), payload());
      bar.stop();
    },
  };
}
