import { stopTestContainers } from './global-setup';

/** jest globalTeardown: stops the containers globalSetup started (none with the local servers). */
export default async function globalTeardown(): Promise<void> {
  await stopTestContainers();
}
