#!/usr/bin/env node
// The `aetos-load` command. The engine is written in TypeScript and runs through tsx's loader,
// so no compile step stands between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
await import('../cli/index.ts');
