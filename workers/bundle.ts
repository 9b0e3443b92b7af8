import { fileURLToPath } from 'node:url';

/** The workflow entry point the control worker bundles (and the replayer replays). */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
