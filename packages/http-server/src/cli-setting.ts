// A setting as @tinyqs/core/cli's CliSetting has it, written out: `pnpm start` reads the kit from
// core's source and tinyqs-http from its build, and the tables of sqs/cli-settings.ts and
// ui/cli-settings.ts must fit both. Types only: those files stay import-free for `pnpm start --help`.
export interface Setting<C> {
  flag: `--${string}`;
  env: string;
  arg: string;
  help: string;
  switch?: true;
  set(config: C, value: { readonly raw: string; port(): number; text(): string; yes(): boolean }): void;
}
