import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * Runs `work`, and when `CAREWEAVE_BENCH_PROFILE` names a folder, writes a V8 CPU profile of just that
 * step there as `<name>.cpuprofile` (open it in Chrome's DevTools), so a profile shows the step measured,
 * not the loading before it. Also returns the event loop's utilisation over the step: near 1, this
 * process was the limit.
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<{ result: T; eventLoop: number }> {
  const folder = process.env['CAREWEAVE_BENCH_PROFILE'];
  const session = folder ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const before = performance.eventLoopUtilization();
  const result = await work();
  const eventLoop = performance.eventLoopUtilization(before).utilization;
  if (session && folder) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(folder, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  return { result, eventLoop };
}
