import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The whole machine's idle and total CPU time so far (the first line of /proc/stat, in jiffies). */
function cpuTimes(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + (fields[4] ?? 0), total: fields.reduce((sum, value) => sum + value, 0) };
}

/**
 * Waits until the machine has been at least `idlePercent` idle for `seconds` seconds in a row (at
 * most `maxSeconds`): an unloaded measurement should not start while the store and the projections
 * still digest the load of the scenario before it. Returns how long it waited and the last
 * second's idle share; where /proc/stat is missing it does not wait.
 */
export async function untilQuiet({ idlePercent = 80, seconds = 3, maxSeconds = 90 } = {}): Promise<{ waited_s: number; idle_percent: number | null }> {
  if (!existsSync('/proc/stat')) return { waited_s: 0, idle_percent: null };
  const started = performance.now();
  let quietFor = 0;
  let idle = 0;
  let before = cpuTimes();
  while (quietFor < seconds && performance.now() - started < maxSeconds * 1000) {
    await sleep(1000);
    const now = cpuTimes();
    idle = (100 * (now.idle - before.idle)) / Math.max(1, now.total - before.total);
    quietFor = idle >= idlePercent ? quietFor + 1 : 0;
    before = now;
  }
  return { waited_s: Math.round((performance.now() - started) / 100) / 10, idle_percent: Math.round(idle) };
}
