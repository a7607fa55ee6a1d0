import { once } from 'node:events';
import type { Socket } from 'node:net';
import { MongoClient } from 'mongodb';
import { isolatedEnv } from '@mlops/testing';

/** The driver's own view of the one server this test talks to (not public API: the patch lives there). */
interface DriverServer {
  requestCheck(): void;
  monitor: { connection: { socket: Socket } | null };
  pool: { connections: Iterable<{ socket: Socket; command(ns: unknown, cmd: object, options: object): Promise<unknown> }> };
}
const serverOf = (client: MongoClient) => [...(client as unknown as { topology: { s: { servers: Map<string, DriverServer> } } }).topology.s.servers.values()][0];

/**
 * A store outage closes sockets at any moment, also between the driver's check that a connection
 * is open and its write. Unpatched, mongodb 7.8 then waits for a 'drain' that never comes: the
 * command never settles, and when it is the server monitor's heartbeat, the server is never checked
 * again and every later command fails with the outage's error until a restart
 * (patches/mongodb+7.8.0.patch).
 */
describe('the mongodb driver when a socket closes under a command (real store)', () => {
  let client: MongoClient;

  beforeEach(async () => {
    // No wait between checks the driver is asked for: the check below starts at once, on the closed socket.
    client = await MongoClient.connect(isolatedEnv('mongodriver').MONGO_URL, {
      serverSelectionTimeoutMS: 5_000,
      heartbeatFrequencyMS: 500,
      minHeartbeatFrequencyMS: 0,
    });
    await client.db('admin').command({ ping: 1 });
  });
  afterEach(() => client?.close());

  it('fails a command written to a connection whose socket was just destroyed, instead of hanging', async () => {
    const [connection] = serverOf(client).pool.connections;
    connection.socket.destroy();
    const { ns } = require('mongodb/lib/utils') as { ns: (namespace: string) => unknown }; // eslint-disable-line @typescript-eslint/no-require-imports
    await expect(connection.command(ns('admin.$cmd'), { ping: 1 }, {})).rejects.toThrow(/closed/);
  });

  it('keeps monitoring the server after its monitor connection closes as a check begins', async () => {
    const server = serverOf(client);
    server.monitor.connection!.socket.destroy();
    const checked = Promise.race([once(client, 'serverHeartbeatFailed'), once(client, 'serverHeartbeatSucceeded')]);
    server.requestCheck();
    await checked;
    // The monitor goes on: the server is known again and commands reach it.
    await once(client, 'serverHeartbeatSucceeded');
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });
});
