// `aetos-load run [flags] <script.ts|script.js>`: the engine's runner (engine/runner). Returns the
// exit code (k6's codes), never exits, so other commands may call it in-process.
export { main } from '../runner/cli.ts';
