// Placeholder until its issue lands: says so plainly instead of pretending to run.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('aetos-load: this command is not implemented yet (see the open issues)\n');
  return 2;
}
