/** The one studio worker client, created on first use. Slices reach the worker only through this. */
import { createStudioClient, type StudioClient } from '../train/client';

let client: StudioClient | null = null;

export function studioClient(): StudioClient {
  if (!client) client = createStudioClient();
  return client;
}
