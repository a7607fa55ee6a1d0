const POLL_MS = 25;

/**
 * Read-your-writes for a follow-up a reactor makes on other streams: polls `read` until `done`
 * says the read model shows it, or the bound passes. Answers the last value read either way.
 */
export async function untilShown<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
