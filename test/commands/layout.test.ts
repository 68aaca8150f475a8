import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../shared/cli/main.js';

const cli = join(import.meta.dirname, '..', '..', 'shared', 'cli');
const sources = (readdirSync(cli, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f.split('\\').join('/'), text: readFileSync(join(cli, f), 'utf8') }));
const io = { out: () => {}, err: () => {}, color: false, interactive: false, env: {} };

describe('the CLI’s layout', () => {
  it('has one module per command under shared/cli/commands/, named after it', () => {
    const names = buildProgram(io, () => {}).commands.map((c) => c.name());
    expect(names).toEqual(['check', 'plan', 'report', 'validate', 'apply', 'snapshot', 'explain', 'demo']);
    const modules = sources.filter((s) => s.file.startsWith('commands/')).map((s) => s.file);
    expect(modules.sort()).toEqual(names.map((n) => `commands/${n}.ts`).sort());
    for (const name of names) {
      const own = sources.filter((s) => s.text.includes(`.command('${name}')`)).map((s) => s.file);
      expect([name, own]).toEqual([name, [`commands/${name}.ts`]]);
    }
  });

  // apply once counted its own summary and ranked ERROR above FAIL; every command now asks exit.ts.
  it('decides exit codes by the one rule of exit.ts: no command ranks FAIL and ERROR itself', () => {
    const exits = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/setExit\(([^;]*)\);/g)].map((m) => [file, m[1] as string]),
    );
    expect(exits.length).toBeGreaterThanOrEqual(8);
    const byTheRule = /^(exitFor\(|EXIT\.ok$|explain\(opts, io\)$|demo\(io\)$)/;
    for (const [file, code] of exits)
      expect([file, code, byTheRule.test(code as string)]).toEqual([file, code, true]);
    for (const { file, text } of sources.filter((s) => s.file !== 'exit.ts' && s.file !== 'main.ts'))
      expect([file, text.match(/EXIT\.(findings|runtime)/g)]).toEqual([file, null]);
  });

  it('reaches the selector engine through its public index, not its matcher or compiler', () => {
    for (const { file, text } of sources) {
      const internal = [...text.matchAll(/from '(?:\.\.\/)+selectors\/([\w.]+)'/g)]
        .map((m) => m[1])
        // The spelling helper ("did you mean …?") is shared by every front end.
        .filter((m) => m !== 'index.js' && m !== 'suggest.js');
      expect([file, internal]).toEqual([file, []]);
    }
  });
});
