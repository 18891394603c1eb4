import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, detail?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; on a log (CI, systemd) a line every few seconds instead, so long
 * jobs never look hung and never flood the log.
 */
export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        stream,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { rate: 0 });
    return {
      update: (done) => bar.update(done, { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let lastLog = 0;
  return {
    update(done, detail = {}) {
      const now = Date.now();
      if (now - lastLog < 5000 && done < total) {
        return;
      }
      lastLog = now;
      const rate = Math.round(done / Math.max((now - started) / 1000, 0.001));
      const extra = Object.entries(detail)
        .map(([k, v]) => ` ${k}=${v}`)
        .join('');
      stream.write(
        `${label}: ${done}/${total} (${Math.floor((done / Math.max(total, 1)) * 100)}%, ${rate}/s)${extra}\n`,
      );
    },
    stop() {
      // nothing to clear on a log
    },
  };
}
