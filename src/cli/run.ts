/**
 * The shared ending of every CLI: run `main`, exit with its code; on an error print "<name>: message" and exit 2 for
 * a usage error (bad flags, missing arguments) or 1 for anything else, so scripts can tell the two apart.
 */
export class UsageError extends Error {}

export function runCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
