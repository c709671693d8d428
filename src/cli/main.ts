/** Entry of the built CLI (dist/cli/main.js): `node dist/cli/main.js train [options]`. */
import { main as train } from './train.js';

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<number>> = { train };
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(`usage: node dist/cli/main.js <${Object.keys(commands).join('|')}> [options]\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await run(rest);
}
