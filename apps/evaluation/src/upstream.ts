/**
 * Model versions and datasets reach this service as events, a moment after the other service
 * answered its own 2xx: a pipeline that registers a model version and evaluates it right away would
 * otherwise race that event. Look again, briefly, before calling the fact unknown.
 */
export async function lookUpWithGrace<T>(lookup: () => Promise<T | null>, graceMs: number, intervalMs = 100): Promise<T | null> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = await lookup();
    if (found !== null || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
