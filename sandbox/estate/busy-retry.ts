/**
 * SQLite (WAL) refuses at once, with SQLITE_BUSY, a transaction that read and then wants to write
 * after another process (a send/receive program, the exchange client, the sandbox itself) committed in between: waiting
 * could not help it, its snapshot is stale. Running the whole transaction again can.
 */
export async function retryWhenBusy<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}
