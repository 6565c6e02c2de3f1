/**
 * Progress on stderr, only when it is a terminal: replications done, rate and ETA.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update: (done: number, target: number) => void;
  stop: () => void;
}

export function progressReporter(label: string): Progress | null {
  if (!process.stderr.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {value}/{total} replications | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let running = false;
  return {
    update(done, target) {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : 0;
      if (!running) {
        bar.start(target, done, { rate });
        running = true;
      } else {
        bar.setTotal(target);
        bar.update(done, { rate });
      }
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
