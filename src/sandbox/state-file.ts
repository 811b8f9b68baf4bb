import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { builtInConnectionSchema } from '../connectors/connection.js';

/** Where ferry keeps local state: the dev stack's data and the state file other commands read. */
export function ferryHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FERRY_HOME ?? '.ferry');
}

export function stateFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(ferryHome(env), 'dev.json');
}

/** What `ferry dev` prints as one JSON line and writes to the state file. */
export const devStackStateSchema = z.object({
  pid: z.number().int(),
  temporalAddress: z.string(),
  namespace: z.string(),
  uiUrl: z.url(),
  databaseUrl: z.string(),
  emulators: z.object({
    woocommerce: z.object({ baseUrl: z.url(), controlUrl: z.url() }),
    // Absent in state files written before the SAP emulator existed.
    sap: z.object({ baseUrl: z.url(), controlUrl: z.url() }).optional(),
    // Absent in state files written before the e-Boekhouden emulator existed.
    eboekhouden: z.object({ baseUrl: z.url(), controlUrl: z.url() }).optional(),
    // Absent in state files written before the Neon CRM emulator existed.
    neon: z.object({ baseUrl: z.url(), controlUrl: z.url() }).optional(),
  }),
  connections: z.record(z.string(), builtInConnectionSchema),
});
export type DevStackState = z.infer<typeof devStackStateSchema>;

export async function writeStateFile(path: string, state: DevStackState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Holds local credentials: readable by the owner only.
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function removeStateFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a running `ferry dev`, or undefined when none runs (a file left by a killed one is ignored). */
export async function readLiveState(path: string): Promise<DevStackState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = devStackStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success || !isAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}
