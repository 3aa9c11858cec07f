// Worker thread entry: the engine is TypeScript run through tsx, and a worker thread starts with
// no loader hooks, so register tsx before importing the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
